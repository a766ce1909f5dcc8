import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
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
