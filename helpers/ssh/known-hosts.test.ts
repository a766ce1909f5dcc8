import { createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  knownHostName,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
  verifyHostKey,
} from './known-hosts.ts'

const wire = (type: string, body: string): Buffer => {
  const t = Buffer.from(type)
  const len = Buffer.alloc(4)
  len.writeUInt32BE(t.length)
  return Buffer.concat([len, t, Buffer.from(body)])
}
const keyA = wire('ssh-ed25519', 'key-a')
const keyB = wire('ssh-ed25519', 'key-b')
const rsa = wire('ssh-rsa', 'key-r')
const line = (hosts: string, k: Buffer): string =>
  `${hosts} ${k === rsa ? 'ssh-rsa' : 'ssh-ed25519'} ${k.toString('base64')}`
const hashed = (name: string): string => {
  const salt = randomBytes(20)
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`
}

describe('known_hosts verification', () => {
  it('uses [host]:port for non-standard ports', () => {
    expect(knownHostName('cs0.barta.cm', 2222)).toBe('[cs0.barta.cm]:2222')
    expect(knownHostName('hsb0.lan', 22)).toBe('hsb0.lan')
  })

  it('matches plain, wildcard, negated and hashed entries', () => {
    const entries = parseKnownHosts(
      [
        line('hsb0.lan,192.168.1.99', keyA),
        line('*.barta.cm,!cs9.barta.cm', keyA),
        line(hashed('[cs1.barta.cm]:2222'), keyB),
      ].join('\n'),
      'kh',
    )
    expect(verifyHostKey(entries, 'hsb0.lan', keyA)).toEqual({ kind: 'known', source: 'kh:1' })
    expect(verifyHostKey(entries, 'cs0.barta.cm', keyA).kind).toBe('known')
    expect(verifyHostKey(entries, 'cs9.barta.cm', keyA).kind).toBe('unknown')
    expect(verifyHostKey(entries, '[cs1.barta.cm]:2222', keyB)).toEqual({
      kind: 'known',
      source: 'kh:3',
    })
    // Port 22 is a different name: the wildcard line's key applies, and keyB is not it.
    expect(verifyHostKey(entries, 'cs1.barta.cm', keyB).kind).toBe('changed')
  })

  it('calls a different key for a known host changed, and an unlisted host unknown', () => {
    const entries = parseKnownHosts(line('hsb0.lan', keyA), 'kh')
    expect(verifyHostKey(entries, 'hsb0.lan', keyB)).toEqual({ kind: 'changed', sources: ['kh:1'] })
    expect(verifyHostKey(entries, 'hsb1.lan', keyA)).toEqual({ kind: 'unknown' })
  })

  it('refuses a revoked key even when it is also listed', () => {
    const entries = parseKnownHosts(
      [line('hsb0.lan', keyA), `@revoked ${line('*', keyA)}`].join('\n'),
      'kh',
    )
    expect(verifyHostKey(entries, 'hsb0.lan', keyA)).toEqual({ kind: 'revoked', source: 'kh:2' })
  })

  it('asks the server for the key types on record first', () => {
    const entries = parseKnownHosts(line('hsb0.lan', rsa), 'kh')
    expect(preferredHostKeyAlgorithms(entries, 'hsb0.lan')).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ])
  })
})
