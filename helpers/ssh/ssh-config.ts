import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import SSHConfig from 'ssh-config'

/** What `ssh <target>` would use, after ~/.ssh/config has been applied. */
export interface ResolvedSshTarget {
  /** The name as typed (alias or host), used in messages. */
  alias: string
  hostName: string
  user: string
  port: number
  identityFiles: string[]
  /** Explicit IdentityFile lines exist: only those keys are offered (plus the agent). */
  identitiesExplicit: boolean
  proxyJump?: string
  hostKeyAlias?: string
  userKnownHostsFiles: string[]
  connectTimeoutMs?: number
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa']

export function expandTilde(p: string, home = homedir()): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}

function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return []
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(/\s+/)).filter(Boolean)
}

export interface ResolveOptions {
  /** ssh_config file; default ~/.ssh/config (SSH_CONFIG overrides, e.g. for rehearsal). */
  configFile?: string
  /** Port given on the command line (`ssh -p 2222 …`); wins over the config as with ssh. */
  port?: number
  localUser?: string
  home?: string
}

/**
 * Resolves `[user@]host` the way OpenSSH does for the options this tool
 * honours. Command-line user/port win over the config file, as with ssh.
 */
export function resolveSshTarget(target: string, opts: ResolveOptions = {}): ResolvedSshTarget {
  const home = opts.home ?? homedir()
  const at = target.lastIndexOf('@')
  const cliUser = at >= 0 ? target.slice(0, at) : undefined
  const host = at >= 0 ? target.slice(at + 1) : target
  const configFile = opts.configFile ?? process.env.SSH_CONFIG ?? join(home, '.ssh', 'config')
  const text = existsSync(configFile) ? readFileSync(configFile, 'utf8') : ''
  const computed = SSHConfig.parse(text).compute(host, { ignoreCase: true, matchExec: false })
  const identityFiles = list(computed.identityfile).map((f) => expandTilde(f, home))
  const portText = first(computed.port)
  const timeout = first(computed.connecttimeout)
  const proxyJump = first(computed.proxyjump)
  const hostKeyAlias = first(computed.hostkeyalias)
  const knownFiles = list(computed.userknownhostsfile).map((f) => expandTilde(f, home))
  return {
    alias: target,
    hostName: first(computed.hostname)?.replace(/%h/g, host) ?? host,
    user: cliUser ?? first(computed.user) ?? opts.localUser ?? process.env.USER ?? 'root',
    port: opts.port ?? (portText ? Number(portText) : 22),
    identityFiles: identityFiles.length
      ? identityFiles
      : DEFAULT_IDENTITIES.map((f) => join(home, '.ssh', f)),
    identitiesExplicit: identityFiles.length > 0,
    ...(proxyJump && proxyJump.toLowerCase() !== 'none' ? { proxyJump } : {}),
    ...(hostKeyAlias ? { hostKeyAlias } : {}),
    userKnownHostsFiles: knownFiles.length
      ? knownFiles
      : [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2')],
    ...(timeout ? { connectTimeoutMs: Number(timeout) * 1000 } : {}),
  }
}

/** ProxyJump `user@host:port` (first hop only; chains are refused, not silently shortened). */
export function parseJump(spec: string): { target: string; port?: number } {
  if (spec.includes(',')) throw new Error(`ProxyJump chains are not supported: "${spec}"`)
  const m = /^(?:ssh:\/\/)?([^:]+?)(?::(\d+))?$/.exec(spec)
  if (!m) throw new Error(`cannot read ProxyJump "${spec}"`)
  return m[2] ? { target: m[1] as string, port: Number(m[2]) } : { target: m[1] as string }
}
