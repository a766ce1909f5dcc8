import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseJump, resolveSshTarget } from './ssh-config.ts'

const dir = mkdtempSync(join(tmpdir(), 'sshcfg-'))
const cfg = join(dir, 'config')
writeFileSync(
  cfg,
  `Host hsb0
  HostName hsb0.lan
  User mba
Host cs1.barta.cm
  Port 2200
  User admin
  IdentityFile ~/.ssh/cloud
Host mba-imac-work
  HostName 10.17.1.7
  User markus
  ProxyJump mba@10.100.0.51
Host *
  ConnectTimeout 7
  UserKnownHostsFile ~/.ssh/fleet_known_hosts
`,
)

describe('ssh_config resolution', () => {
  it('resolves an alias as ssh does', () => {
    expect(resolveSshTarget('hsb0', { configFile: cfg, home: '/home/op' })).toMatchObject({
      hostName: 'hsb0.lan',
      user: 'mba',
      port: 22,
      identitiesExplicit: false,
      identityFiles: ['/home/op/.ssh/id_ed25519', '/home/op/.ssh/id_ecdsa', '/home/op/.ssh/id_rsa'],
      userKnownHostsFiles: ['/home/op/.ssh/fleet_known_hosts'],
      connectTimeoutMs: 7000,
    })
  })

  it('lets the command line (user@, -p) win over the config', () => {
    expect(
      resolveSshTarget('mba@cs1.barta.cm', { configFile: cfg, port: 2222, home: '/h' }),
    ).toMatchObject({
      hostName: 'cs1.barta.cm',
      user: 'mba',
      port: 2222,
      identityFiles: ['/h/.ssh/cloud'],
      identitiesExplicit: true,
    })
  })

  it('reads ProxyJump', () => {
    expect(resolveSshTarget('mba-imac-work', { configFile: cfg }).proxyJump).toBe('mba@10.100.0.51')
    expect(parseJump('mba@10.100.0.51:2222')).toEqual({ target: 'mba@10.100.0.51', port: 2222 })
    expect(() => parseJump('a,b')).toThrow(/chains are not supported/)
  })
})
