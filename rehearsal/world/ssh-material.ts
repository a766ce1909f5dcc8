import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { knownHostName } from '../../helpers/ssh/known-hosts.ts'
import { paths } from './state.ts'
import { machines, type World } from './world.ts'

/** A host key per simulated machine and a client key, made once per rehearsal. */
export function ensureKeys(world: World): Record<string, { private: string; public: string }> {
  mkdirSync(paths.hostKeys, { recursive: true })
  if (!existsSync(paths.clientKey)) keygen(paths.clientKey, 'operator@rehearsal')
  const out: Record<string, { private: string; public: string }> = {}
  for (const name of [...Object.keys(world.machines), 'gateway']) {
    const f = join(paths.hostKeys, name)
    if (!existsSync(f)) keygen(f, `root@${name}`)
    out[name] = {
      private: readFileSync(f, 'utf8'),
      public: readFileSync(`${f}.pub`, 'utf8').trim(),
    }
  }
  return out
}

function keygen(file: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file])
}

/**
 * known_hosts under the names ssh looks them up by: the HostName after
 * ssh_config, with [host]:port for non-standard ports. Generated from the
 * world, so a host reached at a name or port the world does not have is
 * refused as unknown, as it would be in production.
 */
export function writeKnownHosts(world: World, keys: Record<string, { public: string }>): void {
  const strip = (k: string): string => k.split(/\s+/).slice(0, 2).join(' ')
  const lines = [
    `${knownHostName('127.0.0.1', world.published.gateway_ssh)} ${strip(keys.gateway!.public)}`,
  ]
  for (const m of machines(world)) {
    lines.push(
      `${m.aliases.map((a) => knownHostName(a, m.ssh_port)).join(',')} ${strip(keys[m.name]!.public)}`,
    )
  }
  writeFileSync(paths.knownHosts, lines.join('\n') + '\n')
}

/**
 * The rehearsal's stand-in for the operator's ~/.ssh/config: the same aliases
 * an operator has for the home hosts, and a jump through the gateway for
 * everything (the simulated network is not routable from here).
 */
export function writeSshConfig(world: World): void {
  const aliasBlocks = Object.entries(world.operator_aliases).flatMap(([alias, a]) => [
    `Host ${alias}`,
    `  HostName ${a.hostname}`,
    `  User ${a.user}`,
  ])
  writeFileSync(
    paths.sshConfig,
    [
      "# Generated for the rehearsal; mirrors an operator's ~/.ssh/config.",
      'Host rehearsal-gateway',
      '  HostName 127.0.0.1',
      `  Port ${world.published.gateway_ssh}`,
      `  User ${world.gateway.jump_user}`,
      ...aliasBlocks,
      'Host * !rehearsal-gateway',
      '  ProxyJump rehearsal-gateway',
      'Host *',
      `  IdentityFile ${paths.clientKey}`,
      `  UserKnownHostsFile ${paths.knownHosts}`,
      '  ConnectTimeout 10',
    ].join('\n') + '\n',
  )
}
