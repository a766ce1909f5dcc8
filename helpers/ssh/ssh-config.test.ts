import { mkdtempSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expandTokens, parseJump, resolveSshTarget } from './ssh-config.ts'

const dir = mkdtempSync(join(tmpdir(), 'sshcfg-'))
const cfg = join(dir, 'config')
writeFileSync(
  join(dir, 'fleet.conf'),
  'Host mba-imac-work\n  HostName 10.17.1.7\n  User markus\n  ProxyJump mba@10.100.0.51,jump2:2200\n',
)
writeFileSync(
  cfg,
  `Include ${join(dir, 'fleet.conf')}
Host hsb0
  HostName hsb0.lan
  User mba
Host cs1.barta.cm
  Port 2200
  User admin
  IdentityFile ~/.ssh/cloud_%r
Match host hsb8
  User matched
Host *
  ConnectTimeout 7
  UserKnownHostsFile ~/.ssh/fleet_known_hosts
`,
)

describe('ssh_config resolution by OpenSSH (ssh -G)', () => {
  it('resolves an alias as ssh does', () => {
    expect(resolveSshTarget('hsb0', { configFile: cfg, home: '/home/op' })).toMatchObject({
      hostName: 'hsb0.lan',
      user: 'mba',
      port: 22,
      identitiesExplicit: false,
      identityFiles: ['/home/op/.ssh/id_ed25519', '/home/op/.ssh/id_ecdsa', '/home/op/.ssh/id_rsa'],
      userKnownHostsFiles: [join(homedir(), '.ssh', 'fleet_known_hosts')],
      connectTimeoutMs: 7000,
    })
  })

  it('lets the command line (user@, -p) win over the config, and expands % tokens', () => {
    expect(
      resolveSshTarget('mba@cs1.barta.cm', { configFile: cfg, port: 2222, home: '/h' }),
    ).toMatchObject({
      hostName: 'cs1.barta.cm',
      user: 'mba',
      port: 2222,
      identityFiles: ['/h/.ssh/cloud_mba'],
      identitiesExplicit: true,
    })
    expect(
      expandTokens('%d/%h:%p %r %n %%', {
        home: '/h',
        host: 'x.lan',
        original: 'x',
        port: 22,
        user: 'u',
      }),
    ).toBe('/h/x.lan:22 u x %')
    expect(() =>
      expandTokens('%C', { home: '/h', host: 'x', original: 'x', port: 22, user: 'u' }),
    ).toThrow(/the % token "%C" .* is not supported/)
  })

  it('follows Include and Match, and reads a ProxyJump chain hop by hop', () => {
    expect(resolveSshTarget('hsb8', { configFile: cfg }).user).toBe('matched')
    expect(resolveSshTarget('mba-imac-work', { configFile: cfg }).proxyJump).toEqual([
      'mba@10.100.0.51',
      'jump2:2200',
    ])
    expect(parseJump('mba@10.100.0.51:2222')).toEqual({ target: 'mba@10.100.0.51', port: 2222 })
  })

  it('names the file when the ssh_config does not exist', () => {
    expect(() => resolveSshTarget('hsb0', { configFile: join(dir, 'nope') })).toThrow(
      /ssh_config .*nope does not exist/,
    )
  })
})
