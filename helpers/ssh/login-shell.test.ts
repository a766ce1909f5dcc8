import { execFileSync } from 'node:child_process'
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalSshd } from '../testing/local-sshd.ts'
import { SshTransport, type SshTransportOptions } from './ssh-transport.ts'

/** A user whose login shell is fish, as on the real fleet (Debian's fish package). */
const FISH_USER = 'runbook-fish'
const FISH = '/usr/bin/fish'

/** The prelude every command had before: POSIX `$$`, a syntax error in fish. */
const OLD_PRELUDE = (command: string): string =>
  `printf '\\036runbook-pid=%s\\n' "$$" >&2; ${command}`

describe('commands reach a host whose login shell is fish', () => {
  const sshd = new LocalSshd()
  const open: SshTransport[] = []
  let knownHosts: string

  const transport = (o: Partial<SshTransportOptions> = {}): SshTransport => {
    const t = new SshTransport({
      hostName: 'gpc0',
      target: `${FISH_USER}@127.0.0.1`,
      port: sshd.port,
      configFile: join(sshd.dir, 'ssh_config'),
      knownHostsFiles: [knownHosts],
      unknownHostKey: 'refuse',
      agentSocket: undefined,
      connectTimeoutMs: 5000,
      ...o,
    })
    open.push(t)
    return t
  }

  beforeAll(async () => {
    execFileSync('sh', [
      '-c',
      `(id ${FISH_USER} >/dev/null 2>&1 || useradd -m -s ${FISH} ${FISH_USER}) && usermod -s ${FISH} -p '*' ${FISH_USER}`,
    ])
    // sshd reads the key file as the user: the test's folder must be readable to it.
    chmodSync(sshd.dir, 0o755)
    chmodSync(join(sshd.dir, 'authorized_keys'), 0o644)
    await sshd.start()
    knownHosts = join(sshd.dir, 'known_hosts')
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey()}\n`)
    writeFileSync(join(sshd.dir, 'ssh_config'), `Host *\n  IdentityFile ${sshd.clientKeyFile}\n`)
  }, 30_000)

  afterAll(async () => {
    await Promise.all(open.map((t) => t.close()))
    await sshd.dispose()
    execFileSync('sh', ['-c', `userdel -r ${FISH_USER} 2>/dev/null || true`])
  })

  it('the login shell really is fish, and fish does not run POSIX `$$`: it says so on stderr', async () => {
    const ssh = await transport().connection()
    expect((await ssh.execCommand('echo $SHELL')).stdout.trim()).toBe(FISH)
    const raw = await ssh.execCommand('printf "%s\\n" "$$"; echo after')
    expect(raw.stdout).toBe('')
    expect(raw.stderr).toMatch(/\$\$ is not the pid|Unsupported use of '\$\$'|fish/i)
  })

  it('the runbook’s POSIX command runs whole under sh, whatever the login shell', async () => {
    const r = await transport().exec(
      `printf '%s\\n' "$$" "it's" 'back\\slash' && for x in a b; do echo "$x"; done; echo err >&2; exit 3`,
      { timeoutMs: 10_000 },
    )
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toMatch(/^\d+\nit's\nback\\slash\na\nb\n$/)
    expect(r.stderr).toBe('err\n')
  })

  it('with the old `$$` prelude put back, the first command fails naming the host and the login shell', async () => {
    await expect(
      transport({ commandLine: OLD_PRELUDE }).exec('echo hello', { timeoutMs: 10_000 }),
    ).rejects.toThrow(
      /^gpc0: the command did not run: the login shell \(\/usr\/bin\/fish\) did not run the runbook's sh wrapper \(no start marker; exit \d+/,
    )
  })
})
