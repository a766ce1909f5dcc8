import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { parseInventory } from '../inventory/load-inventory.ts'
import { openFleet, verifyOs } from '../fleet/fleet.ts'
import { say } from '../output/say.ts'
import { clearSecretsForTest, registerSecret } from '../secrets/redact.ts'
import { readSecret } from '../secrets/secrets.ts'
import { SshTransport } from '../ssh/ssh-transport.ts'
import { LocalSshd } from '../testing/local-sshd.ts'
import { Transcript } from '../transcript/transcript.ts'
import { withContext } from '../transcript/run-context.ts'
import { Host } from './host.ts'

describe('host verbs, transcript and redaction over a real sshd', () => {
  const sshd = new LocalSshd()
  let host: Host
  let transcript: Transcript

  beforeAll(async () => {
    await sshd.start()
    writeFileSync(
      join(sshd.dir, 'known_hosts'),
      `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey()}\n`,
    )
    writeFileSync(
      join(sshd.dir, 'ssh_config'),
      `Host gpc0\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.clientKeyFile}\n`,
    )
    transcript = new Transcript(join(sshd.dir, 'run', 'transcript.jsonl'))
    host = new Host(
      'gpc0',
      new SshTransport({
        hostName: 'gpc0',
        target: 'gpc0',
        configFile: join(sshd.dir, 'ssh_config'),
        knownHostsFiles: [join(sshd.dir, 'known_hosts')],
        unknownHostKey: 'refuse',
        agentSocket: undefined,
      }),
      transcript,
    )
  }, 30_000)

  afterAll(async () => {
    await host.close()
    await sshd.dispose()
    clearSecretsForTest()
  })

  it('succeed returns stdout; a failure names host, command, exit code and its meaning, and stderr', async () => {
    expect(await host.succeed('echo ok')).toBe('ok\n')
    await expect(host.succeed('echo boom >&2; exit 3')).rejects.toThrow(
      /^gpc0: command failed with exit code 3 \(failure\): echo boom >&2; exit 3\nboom$/,
    )
    await expect(host.succeed('no-such-command-xyz')).rejects.toThrow(
      /exit code 127 \(command not found\)/,
    )
  })

  it('a sudo that wants a password is named as such', async () => {
    // What `sudo -n` prints when the host's sudo would prompt.
    const refusing = join(sshd.dir, 'bin')
    mkdirSync(refusing, { recursive: true })
    writeFileSync(
      join(refusing, 'sudo'),
      '#!/bin/sh\necho "sudo: a password is required" >&2\nexit 1\n',
      { mode: 0o755 },
    )
    await expect(host.succeed(`PATH=${refusing}:$PATH sudo -n true`)).rejects.toThrow(
      /^gpc0: sudo needs a password on gpc0 \(sudo -n refused; the runbook never types one\)/,
    )
  })

  it('fail passes on a non-zero exit and throws on success', async () => {
    await expect(host.fail('false')).resolves.toMatchObject({ exitCode: 1 })
    await expect(host.fail('true')).rejects.toThrow(
      'gpc0: command was expected to fail but succeeded: true',
    )
  })

  it('waitUntilSucceeds waits for a condition and reports the last failure on timeout', async () => {
    const flag = join(sshd.dir, 'flag')
    setTimeout(() => writeFileSync(flag, 'x'), 700)
    await expect(
      host.waitUntilSucceeds(`test -f ${flag}`, { timeout: '10s', interval: '200ms' }),
    ).resolves.toBe('')
    await expect(
      // Long enough for an attempt to finish on a loaded machine (npm test runs the fleet tests beside).
      host.waitUntilSucceeds('echo not yet >&2; false', { timeout: '5s', interval: '200ms' }),
    ).rejects.toThrow(
      /gpc0: `echo not yet >&2; false` succeeds not satisfied after 5 s; last error: gpc0: command failed with exit code 1.*\nnot yet/,
    )
  })

  it('checks the OS the inventory claims against uname', async () => {
    const inv = parseInventory(
      readFileSync(new URL('../../fixtures/fleet.yaml', import.meta.url), 'utf8'),
    )
    const fleet = openFleet({
      target: 'rehearsal',
      inventory: {
        ...inv,
        hosts: inv.hosts.map((h) => (h.name === 'gpc0' ? { ...h, ssh: { target: 'gpc0' } } : h)),
      },
      ssh: {
        configFile: join(sshd.dir, 'ssh_config'),
        knownHostsFiles: [join(sshd.dir, 'known_hosts')],
      },
    })
    try {
      await expect(verifyOs(fleet.get('gpc0'))).resolves.toBeUndefined()
      const lying = {
        ...fleet.get('gpc0'),
        spec: { ...fleet.get('gpc0').spec },
        os: fleet.get('mba-mbp-work').os,
      }
      await expect(verifyOs(lying)).rejects.toThrow(
        /gpc0: inventory says os: nixos, .* reports uname -s = Linux/,
      )
    } finally {
      await fleet.close()
    }
  })

  it('records every command with host, phase, check, exit code and duration, and keeps secrets out', async () => {
    const token = 'tok-' + 'x'.repeat(8) + '-sekret-value-91'
    const password = 'correct horse battery staple'
    const secretFile = join(sshd.dir, 'password')
    writeFileSync(secretFile, password + '\n')
    registerSecret('NIXFLEET_AGENT_TOKEN', token)
    expect(readSecret('dashboardPassword', { NIXFLEET_PASSWORD_FILE: secretFile })).toBe(password)

    await withContext({ phase: 'phase2', check: 'gpc0: v2 agent connected' }, async () => {
      await host.succeed(`echo "token is ${token}"; echo "pw ${password}" >&2`)
    })
    const printed = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    say(`sending ${token} and ${encodeURIComponent(password)}`)
    console.error('object form', { token })
    const out = printed.mock.calls.map((c) => String(c[0])).join('')
    printed.mockRestore()

    const lines = readFileSync(transcript.file, 'utf8').trim().split('\n')
    const last = JSON.parse(lines.at(-1) as string) as Record<string, unknown>
    expect(last).toMatchObject({
      host: 'gpc0',
      phase: 'phase2',
      check: 'gpc0: v2 agent connected',
      exitCode: 0,
      outcome: 'exit',
    })
    expect(last.durationMs).toEqual(expect.any(Number))
    expect(last.stdoutTail).toContain('token is «redacted:NIXFLEET_AGENT_TOKEN»')
    expect(last.stderrTail).toContain('pw «redacted:NIXFLEET_PASSWORD»')
    expect(out).toContain(
      'sending «redacted:NIXFLEET_AGENT_TOKEN» and «redacted:NIXFLEET_PASSWORD»',
    )
    for (const text of [readFileSync(transcript.file, 'utf8'), out]) {
      expect(text).not.toContain(token)
      expect(text).not.toContain(password)
      expect(text).not.toContain(encodeURIComponent(password))
    }
  })
})
