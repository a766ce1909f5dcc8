import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { homedir, hostname, userInfo } from 'node:os'
import { join } from 'node:path'

/** What `ssh <target>` would use, as OpenSSH itself resolves it (`ssh -G`). */
export interface ResolvedSshTarget {
  /** The name as typed (alias or host), used in messages. */
  alias: string
  hostName: string
  user: string
  port: number
  identityFiles: string[]
  /** Explicit IdentityFile lines exist: only those keys are offered (plus the agent). */
  identitiesExplicit: boolean
  /** The ProxyJump chain, first hop first. */
  proxyJump?: string[]
  /** ProxyCommand with its % tokens expanded: run by `sh -c`, its stdio is the connection. */
  proxyCommand?: string
  hostKeyAlias?: string
  userKnownHostsFiles: string[]
  connectTimeoutMs?: number
  /** IdentityAgent when it names a socket other than $SSH_AUTH_SOCK; null for `none`. */
  identityAgent?: string | null
}

export class SshConfigError extends Error {
  override name = 'SshConfigError'
}

/** The keys offered when none is configured (those ssh2 can use, strongest first). */
const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa']
/** What `ssh -G` prints as IdentityFile when the configuration names none (OpenSSH 9). */
const OPENSSH_DEFAULT_IDENTITIES = [
  'rsa',
  'ecdsa',
  'ecdsa_sk',
  'ed25519',
  'ed25519_sk',
  'xmss',
  'dsa',
].map((k) => `~/.ssh/id_${k}`)

export function expandTilde(p: string, home = homedir()): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p
}

export interface ResolveOptions {
  /** ssh_config file (`ssh -F`); default: what ssh reads (~/.ssh/config and the system file). */
  configFile?: string
  /** Port given on the command line (`ssh -p 2222 …`); wins over the config as with ssh. */
  port?: number
  home?: string
}

/** `ssh -G`'s output: each key (lower-case) with its values in order. */
export function parseSshG(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trim())
    if (!m) continue
    const key = (m[1] as string).toLowerCase()
    out.set(key, [...(out.get(key) ?? []), m[2] as string])
  }
  return out
}

/** OpenSSH's % tokens (ssh_config(5) TOKENS) for the directives this tool reads. */
export function expandTokens(
  text: string,
  t: { host: string; original: string; user: string; port: number; home: string },
): string {
  const local = hostname()
  const map: Record<string, string> = {
    '%': '%',
    d: t.home,
    h: t.host,
    n: t.original,
    p: String(t.port),
    r: t.user,
    u: userInfo().username,
    i: String(userInfo().uid),
    l: local,
    L: local.split('.')[0] ?? local,
  }
  return text.replace(/%(.)/g, (whole, c: string) => {
    const v = map[c]
    if (v === undefined)
      throw new SshConfigError(`the % token "${whole}" in "${text}" is not supported`)
    return v
  })
}

/**
 * Directives whose effect this tool cannot reproduce: a connection made
 * without them would not be the one `ssh` makes, so the host is refused.
 */
function unsupported(cfg: Map<string, string[]>): string[] {
  const v = (k: string): string => (cfg.get(k)?.[0] ?? '').toLowerCase()
  const out: string[] = []
  if (cfg.get('certificatefile')?.length) out.push('CertificateFile (SSH certificates)')
  if (v('pkcs11provider') && v('pkcs11provider') !== 'none') out.push('PKCS11Provider')
  if (v('securitykeyprovider') && v('securitykeyprovider') !== 'internal')
    out.push('SecurityKeyProvider')
  if (v('proxyusefdpass') === 'yes') out.push('ProxyUseFdpass')
  if (cfg.get('bindaddress')?.length) out.push('BindAddress')
  if (cfg.get('bindinterface')?.length) out.push('BindInterface')
  if (v('canonicalizehostname') && v('canonicalizehostname') !== 'false')
    out.push('CanonicalizeHostname')
  return out
}

/**
 * Resolves `[user@]host` with OpenSSH itself (`ssh -G`), so Include, Match,
 * Host patterns, defaults and precedence are exactly what `ssh` would use.
 * Command-line user and port win, as with ssh. % tokens and ~ are expanded
 * in the paths and commands this tool uses.
 */
export function resolveSshTarget(target: string, opts: ResolveOptions = {}): ResolvedSshTarget {
  const home = opts.home ?? homedir()
  const configFile = opts.configFile ?? process.env.SSH_CONFIG
  if (configFile && !existsSync(configFile))
    throw new SshConfigError(`ssh_config ${configFile} does not exist`)
  const args = [
    '-G',
    ...(configFile ? ['-F', configFile] : []),
    ...(opts.port ? ['-p', String(opts.port)] : []),
    '--',
    target,
  ]
  const r = spawnSync('ssh', args, { encoding: 'utf8', timeout: 10_000 })
  if (r.error) throw new SshConfigError(`cannot run ssh -G for ${target}: ${r.error.message}`)
  if (r.status !== 0)
    throw new SshConfigError(
      `ssh -G ${target} failed (exit ${r.status}): ${r.stderr.replace(/^Pseudo-terminal.*\n/m, '').trim()}`,
    )
  const cfg = parseSshG(r.stdout)
  const one = (k: string): string | undefined => cfg.get(k)?.[0]
  const refused = unsupported(cfg)
  if (refused.length)
    throw new SshConfigError(
      `${target}: ssh_config sets ${refused.join(', ')}, which this tool cannot honour; it refuses rather than connect differently from ssh`,
    )
  const hostName = one('hostname') ?? target
  const user = one('user') ?? userInfo().username
  const port = Number(one('port') ?? 22)
  const at = target.lastIndexOf('@')
  const tokens = {
    host: hostName,
    original: at >= 0 ? target.slice(at + 1) : target,
    user,
    port,
    home,
  }
  const path = (p: string): string => expandTilde(expandTokens(p, tokens), home)
  const configured = cfg.get('identityfile') ?? []
  // With no IdentityFile, ssh -G lists OpenSSH's own defaults: that is not an explicit choice.
  const explicit = configured.join('\n') !== OPENSSH_DEFAULT_IDENTITIES.join('\n')
  const identityFiles = explicit ? configured.map(path) : []
  const proxyJump = one('proxyjump')
  const proxyCommand = one('proxycommand')
  const timeout = one('connecttimeout')
  const agent = one('identityagent')
  const hostKeyAlias = one('hostkeyalias')
  return {
    alias: target,
    hostName,
    user,
    port,
    identityFiles: explicit ? identityFiles : DEFAULT_IDENTITIES.map((f) => join(home, '.ssh', f)),
    identitiesExplicit: explicit,
    ...(proxyJump && proxyJump.toLowerCase() !== 'none'
      ? { proxyJump: proxyJump.split(',').map((s) => s.trim()) }
      : {}),
    ...(proxyCommand && proxyCommand.toLowerCase() !== 'none'
      ? { proxyCommand: expandTokens(proxyCommand, tokens) }
      : {}),
    ...(hostKeyAlias ? { hostKeyAlias } : {}),
    userKnownHostsFiles: (cfg.get('userknownhostsfile') ?? [])
      .flatMap((l) => l.split(/\s+/))
      .filter(Boolean)
      .map(path),
    ...(timeout && timeout !== 'none' ? { connectTimeoutMs: Number(timeout) * 1000 } : {}),
    ...(agent === undefined || agent === 'SSH_AUTH_SOCK'
      ? {}
      : { identityAgent: agent.toLowerCase() === 'none' ? null : path(agent) }),
  }
}

/** One ProxyJump hop `[ssh://][user@]host[:port]`. */
export function parseJump(spec: string): { target: string; port?: number } {
  const m = /^(?:ssh:\/\/)?([^:]+?)(?::(\d+))?$/.exec(spec)
  if (!m) throw new SshConfigError(`cannot read ProxyJump hop "${spec}"`)
  return m[2] ? { target: m[1] as string, port: Number(m[2]) } : { target: m[1] as string }
}
