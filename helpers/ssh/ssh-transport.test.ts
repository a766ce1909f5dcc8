import { execSync, spawn } from 'node:child_process'
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Host } from '../hosts/host.ts'
import { LocalSshd, keygen } from '../testing/local-sshd.ts'
import { SshTransport, type SshTransportOptions } from './ssh-transport.ts'

/** These tests talk to a real OpenSSH server on 127.0.0.1, not to a mock. */
describe('SSH transport against a real sshd', () => {
  const sshd = new LocalSshd()
  let knownHosts: string
  let config: string
  const open: SshTransport[] = []

  const transport = (o: Partial<SshTransportOptions> & { target: string }): SshTransport => {
    const t = new SshTransport({
      hostName: 'hsb0',
      configFile: config,
      knownHostsFiles: [knownHosts],
      unknownHostKey: 'refuse',
      agentSocket: undefined,
      connectTimeoutMs: 5000,
      keepaliveIntervalMs: 1000,
      ...o,
    })
    open.push(t)
    return t
  }

  beforeAll(async () => {
    await sshd.start()
    knownHosts = join(sshd.dir, 'known_hosts')
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey()}\n`)
    config = join(sshd.dir, 'ssh_config')
    writeFileSync(
      config,
      [
        // Before any Host line: an Include inside a Host block applies only to that host.
        `Include ${join(sshd.dir, 'included_config')}`,
        'Host hsb0',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.clientKeyFile}`,
        'Host behind-jump',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.clientKeyFile}`,
        '  ProxyJump hsb0',
        'Host behind-jump-refused',
        '  HostName 127.0.0.1',
        '  Port 1',
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.clientKeyFile}`,
        '  ProxyJump hsb0',
        'Host agent-only',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${join(sshd.dir, 'no-such-key')}`,
        'Match host matched-alias',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.dir}/%r_client_key`,
        'Host via-proxycommand',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.clientKeyFile}`,
        `  ProxyCommand sh -c 'echo "proxied %h:%p" >> ${sshd.dir}/proxy.log; exec node -e "const s = require(\\"net\\").connect(%p, \\"%h\\"); process.stdin.pipe(s); s.pipe(process.stdout)"'`,
        'Host aliased-key',
        '  HostName localhost',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.clientKeyFile}`,
        `  HostKeyAlias hsb0-key`,
        'Host chained',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.clientKeyFile}`,
        '  ProxyJump hsb0,behind-jump-hop',
        'Host behind-jump-hop',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.clientKeyFile}`,
        '  ProxyJump none-such-host-used-only-without-chain',
        'Host with-certificate',
        '  HostName 127.0.0.1',
        `  CertificateFile ${sshd.dir}/cert.pub`,
        'Host wrong-key',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  IdentityFile ${join(sshd.dir, 'not-authorized')}`,
      ].join('\n') + '\n',
    )
    keygen(join(sshd.dir, 'not-authorized'))
    writeFileSync(
      join(sshd.dir, 'included_config'),
      [
        'Host included',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.clientKeyFile}`,
      ].join('\n') + '\n',
    )
    // For the % token test: the client key under a name made of the remote user.
    writeFileSync(join(sshd.dir, `${sshd.user}_client_key`), readFileSync(sshd.clientKeyFile), {
      mode: 0o600,
    })
    appendFileSync(knownHosts, `hsb0-key ${sshd.hostPublicKey()}\n`)
  }, 30_000)

  afterAll(async () => {
    await Promise.all(open.map((t) => t.close()))
    await sshd.dispose()
  })

  it('resolves an ssh_config alias (HostName, Port, User, IdentityFile) and runs a command', async () => {
    const t = transport({ target: 'hsb0' })
    expect(t.resolved()).toMatchObject({ hostName: '127.0.0.1', port: sshd.port, user: sshd.user })
    const r = await t.exec('echo "hello from $(whoami)"', { timeoutMs: 10_000 })
    expect(r).toMatchObject({ exitCode: 0, stdout: `hello from ${sshd.user}\n` })
  })

  it('resolves as OpenSSH does: Include, Match, % tokens in IdentityFile', async () => {
    for (const target of ['included', 'matched-alias']) {
      const r = await transport({ target }).exec('echo ok', { timeoutMs: 10_000 })
      expect(r.stdout.trim(), target).toBe('ok')
    }
    expect(transport({ target: 'matched-alias' }).resolved().identityFiles).toEqual([
      join(sshd.dir, `${sshd.user}_client_key`),
    ])
  })

  it('connects through a ProxyCommand, run as ssh runs it with its tokens expanded', async () => {
    const r = await transport({ target: 'via-proxycommand' }).exec('echo proxied', {
      timeoutMs: 10_000,
    })
    expect(r.stdout.trim()).toBe('proxied')
    expect(readFileSync(join(sshd.dir, 'proxy.log'), 'utf8')).toContain(
      `proxied 127.0.0.1:${sshd.port}`,
    )
  })

  it('looks the host key up under its HostKeyAlias', async () => {
    const r = await transport({ target: 'aliased-key' }).exec('true', { timeoutMs: 10_000 })
    expect(r.exitCode).toBe(0)
  })

  it('follows a ProxyJump chain hop by hop, each hop reached through the ones before it', async () => {
    const r = await transport({ target: 'chained' }).exec('echo chained', { timeoutMs: 15_000 })
    expect(r.stdout.trim()).toBe('chained')
  })

  it('refuses a directive it cannot honour instead of ignoring it', () => {
    expect(() => transport({ target: 'with-certificate' }).resolved()).toThrow(
      /with-certificate: ssh_config sets CertificateFile \(SSH certificates\), which this tool cannot honour/,
    )
  })

  it('connects through a ProxyJump host', async () => {
    const r = await transport({ target: 'behind-jump' }).exec('echo jumped', { timeoutMs: 10_000 })
    expect(r.stdout.trim()).toBe('jumped')
  })

  it('retries a host behind a jump host over one jump connection (a booting host costs no new handshakes)', async () => {
    // Established client connections to the sshd, counted from this machine's socket table.
    const connections = (): number =>
      execSync(`ss -Htn state established '( dport = :${sshd.port} )'`, { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean).length
    const before = connections()
    const t = transport({ target: 'behind-jump-refused' })
    for (let i = 0; i < 3; i++)
      await expect(t.exec('true', { timeoutMs: 5000 })).rejects.toThrow(
        'jump host hsb0 cannot reach 127.0.0.1:1',
      )
    expect(connections() - before).toBe(1)
    await t.close()
    await expect.poll(() => connections() - before, { timeout: 5000 }).toBe(0)
  })

  it('accepts a known host key written as a hashed known_hosts entry', async () => {
    const hashed = join(sshd.dir, 'known_hosts_hashed')
    writeFileSync(hashed, readFileSync(knownHosts))
    execSync(`ssh-keygen -q -H -f ${hashed}`)
    expect(readFileSync(hashed, 'utf8')).toMatch(/^\|1\|/)
    const r = await transport({ target: 'hsb0', knownHostsFiles: [hashed] }).exec('true', {
      timeoutMs: 10_000,
    })
    expect(r.exitCode).toBe(0)
  })

  it('refuses a changed host key, naming the host and the known_hosts line', async () => {
    const other = join(sshd.dir, 'other_host_key')
    keygen(other)
    const changed = join(sshd.dir, 'known_hosts_changed')
    writeFileSync(
      changed,
      `[127.0.0.1]:${sshd.port} ${readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`,
    )
    const t = transport({ target: 'hsb0', knownHostsFiles: [changed], unknownHostKey: 'accept' })
    await expect(t.exec('true', { timeoutMs: 10_000 })).rejects.toThrow(
      /^hsb0: HOST KEY CHANGED for \[127\.0\.0\.1\]:\d+.*known_hosts_changed:1/,
    )
  })

  it('refuses an unknown host key when unknown keys are refused (production)', async () => {
    const empty = join(sshd.dir, 'known_hosts_empty')
    writeFileSync(empty, '')
    const t = transport({ target: 'hsb0', knownHostsFiles: [empty] })
    const refused = t.exec('true', { timeoutMs: 10_000 })
    await expect(refused).rejects.toThrow(
      /hsb0: host key for \[127\.0\.0\.1\]:\d+ is unknown .*The server presented SHA256:[A-Za-z0-9+/]+: compare it with the fingerprint read on the host itself/,
    )
    // Never an invitation to trust whatever answers.
    await expect(refused).rejects.not.toThrow(/ssh-keyscan|one interactive ssh/)
  })

  it('reports a failed authentication with what was offered', async () => {
    const t = transport({ target: 'wrong-key' })
    await expect(t.exec('true', { timeoutMs: 10_000 })).rejects.toThrow(
      /hsb0: cannot connect to .*authentication methods failed.*offered: .*not-authorized/,
    )
  })

  it('authenticates with ssh-agent when a socket is given', async () => {
    const sock = join(sshd.dir, 'agent.sock')
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' })
    try {
      await expect.poll(() => existsSync(sock), { timeout: 5000 }).toBe(true)
      execSync(`ssh-add -q ${sshd.clientKeyFile}`, { env: { ...process.env, SSH_AUTH_SOCK: sock } })
      await expect(
        transport({ target: 'agent-only', agentSocket: undefined }).exec('true', {
          timeoutMs: 10_000,
        }),
      ).rejects.toThrow(/no usable key or agent/)
      const r = await transport({ target: 'agent-only', agentSocket: sock }).exec(
        'echo via agent',
        { timeoutMs: 10_000 },
      )
      expect(r.stdout.trim()).toBe('via agent')
    } finally {
      agent.kill()
    }
  })

  it('stops a command that outlives its deadline and reports host and command', async () => {
    const host = new Host('hsb0', transport({ target: 'hsb0' }))
    const started = Date.now()
    await expect(host.run('sleep 31; echo never', { timeout: '1s' })).rejects.toThrow(
      'hsb0: command exceeded its deadline of 1 s and was stopped: sleep 31; echo never',
    )
    expect(Date.now() - started).toBeLessThan(5000)
    // The remote process was stopped, not abandoned.
    await expect
      .poll(() => host.run('pgrep -f "slee[p] 31" || true').then((r) => r.stdout.trim()), {
        timeout: 5000,
      })
      .toBe('')
  })

  it('reports a lost connection instead of hanging, then reconnects', async () => {
    const host = new Host('hsb0', transport({ target: 'hsb0' }))
    await host.succeed('true')
    const pending = host.run('sleep 30', { timeout: '60s' })
    setTimeout(() => sshd.dropSessions(), 500)
    const started = Date.now()
    await expect(pending).rejects.toThrow('hsb0: connection lost while running: sleep 30')
    expect(Date.now() - started).toBeLessThan(15_000)
    expect((await host.succeed('echo again')).trim()).toBe('again')
  })

  it('reconnects after the server restarts', async () => {
    const host = new Host('hsb0', transport({ target: 'hsb0' }))
    expect((await host.succeed('echo before')).trim()).toBe('before')
    await sshd.stop()
    await expect(host.run('true', { timeout: '5s' })).rejects.toThrow(
      /hsb0: (connection lost|cannot connect)/,
    )
    await sshd.start()
    expect((await host.succeed('echo after')).trim()).toBe('after')
  })
})
