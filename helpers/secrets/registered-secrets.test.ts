import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { scanForSecrets } from '../report/secret-scan.ts'
import { clearSecretsForTest, redact, registeredSecrets, registerSecret } from './redact.ts'

describe('secrets learnt at run time', () => {
  afterEach(() => clearSecretsForTest())

  it('a session cookie registered when received is found if it ever reaches a report file', () => {
    registerSecret('nixfleet_session', 'c0ok1e-v4lue/with+chars')
    const dir = mkdtempSync(join(tmpdir(), 'scan-'))
    writeFileSync(join(dir, 'clean.json'), redact('{"cookie":"c0ok1e-v4lue/with+chars"}'))
    expect(scanForSecrets(dir, registeredSecrets())).toEqual([])
    writeFileSync(join(dir, 'leak.txt'), 'Cookie: nixfleet_session=c0ok1e-v4lue%2Fwith%2Bchars')
    const hits = scanForSecrets(dir, registeredSecrets())
    expect(hits.length).toBeGreaterThan(0)
    for (const h of hits) expect(h).toMatch(/leak\.txt: nixfleet_session #\d+$/)
  })
})

describe('the secret scan', () => {
  afterEach(() => clearSecretsForTest())

  const secret = 'hunter2<&>"x'
  const forms: Record<string, Buffer> = {
    'plain.txt': Buffer.from(`pw=${secret}`),
    'escaped.html': Buffer.from('<td>hunter2&lt;&amp;&gt;&quot;x</td>'),
    'escaped.xml': Buffer.from('<failure message="hunter2&lt;&amp;&gt;&quot;x"/>'),
    'encoded.txt': Buffer.from(`q=${encodeURIComponent(secret)}`),
    'data.b64': Buffer.from(`xx${Buffer.from(`ab${secret}cd`).toString('base64')}yy`),
    'data.json.gz': gzipSync(JSON.stringify({ reason: secret })),
  }

  it.each(Object.keys(forms))('finds the secret in %s', (name) => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'))
    writeFileSync(join(dir, name), forms[name]!)
    expect(scanForSecrets(dir, { password: secret })).toEqual([`${join(dir, name)}: password`])
  })

  it('finds a short secret as a token, not inside numbers or words, and not in JSON numbers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'))
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ durationMs: 42, exit: 42, t: 'table' }))
    writeFileSync(join(dir, 'b.txt'), 'took 1427 ms in a table')
    expect(scanForSecrets(dir, { token: '42', csrf: 'ab' })).toEqual([])
    writeFileSync(join(dir, 'c.jsonl'), JSON.stringify({ stderr: 'token 42' }) + '\n')
    expect(scanForSecrets(dir, { token: '42', csrf: 'ab' })).toEqual([
      `${join(dir, 'c.jsonl')}: token`,
    ])
  })
})
