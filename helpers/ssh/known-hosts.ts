import { createHmac } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'

/**
 * known_hosts as OpenSSH reads it: plain and hashed (`|1|salt|hash`) host
 * fields, `[host]:port` for non-standard ports, negation, wildcards, and the
 * @revoked marker. (@cert-authority lines are read but never match: host
 * certificates are not used by this fleet.)
 */
export interface KnownHostEntry {
  marker?: '@revoked' | '@cert-authority'
  patterns: string
  keyType: string
  key: Buffer
  source: string
}

export function parseKnownHosts(text: string, source: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = []
  text.split('\n').forEach((line, i) => {
    const t = line.trim()
    if (!t || t.startsWith('#')) return
    const parts = t.split(/\s+/)
    let marker: KnownHostEntry['marker']
    if (parts[0] === '@revoked' || parts[0] === '@cert-authority')
      marker = parts.shift() as typeof marker
    const [patterns, keyType, b64] = parts
    if (!patterns || !keyType || !b64) return
    out.push({
      ...(marker ? { marker } : {}),
      patterns,
      keyType,
      key: Buffer.from(b64, 'base64'),
      source: `${source}:${i + 1}`,
    })
  })
  return out
}

export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

function globToRegex(glob: string): RegExp {
  const esc = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${esc}$`, 'i')
}

function patternMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|')
    if (!salt || !hash) return false
    const h = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64')
    return h === hash
  }
  let matched = false
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (globToRegex(p.slice(1)).test(name)) return false
    } else if (globToRegex(p).test(name)) matched = true
  }
  return matched
}

export type HostKeyVerdict =
  | { kind: 'known'; source: string }
  | { kind: 'unknown' }
  | { kind: 'changed'; sources: string[] }
  | { kind: 'revoked'; source: string }

/** The key's type is read from its own wire encoding (string length + name). */
export function keyTypeOf(key: Buffer): string {
  const len = key.readUInt32BE(0)
  return key.subarray(4, 4 + len).toString('ascii')
}

export function verifyHostKey(
  entries: KnownHostEntry[],
  name: string,
  key: Buffer,
): HostKeyVerdict {
  const forHost = entries.filter(
    (e) => e.marker !== '@cert-authority' && patternMatches(e.patterns, name),
  )
  const revoked = entries.find((e) => e.marker === '@revoked' && e.key.equals(key))
  if (revoked) return { kind: 'revoked', source: revoked.source }
  const exact = forHost.find((e) => !e.marker && e.key.equals(key))
  if (exact) return { kind: 'known', source: exact.source }
  const type = keyTypeOf(key)
  const sameType = forHost.filter((e) => !e.marker && e.keyType === type)
  if (sameType.length) return { kind: 'changed', sources: sameType.map((e) => e.source) }
  // Another key type on record for this host: OpenSSH warns about this too.
  if (forHost.some((e) => !e.marker))
    return { kind: 'changed', sources: forHost.map((e) => e.source) }
  return { kind: 'unknown' }
}

/** Key types on record for a host, to ask the server for those first (as OpenSSH does). */
export function preferredHostKeyAlgorithms(entries: KnownHostEntry[], name: string): string[] {
  const types = entries
    .filter((e) => !e.marker && patternMatches(e.patterns, name))
    .map((e) => e.keyType)
  return [
    ...new Set(
      types.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t])),
    ),
  ]
}

export function readKnownHostsFiles(files: string[]): KnownHostEntry[] {
  return files
    .filter((f) => existsSync(f))
    .flatMap((f) => parseKnownHosts(readFileSync(f, 'utf8'), f))
}
