import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { runFolder, writeRunArtifact } from '../../../transcript/run-folder.ts'
import { registerSecret } from '../../../secrets/redact.ts'
import { readSecret } from '../../../secrets/secrets.ts'

// Learnt at run time in this worker only, like the dashboard's session cookie and CSRF token.
const cookie = process.env.LEAK_COOKIE ?? ''
const csrf = process.env.LEAK_CSRF ?? ''

const all = (): string =>
  [
    readSecret('dashboardPassword'),
    readSecret('totpSecret'),
    readSecret('agentToken'),
    cookie,
    csrf,
  ].join(' | ')

describe('a runbook phase whose errors hold secrets', () => {
  beforeAll(() => {
    registerSecret('nixfleet_session', cookie)
    registerSecret('csrf_token', csrf)
    // A helper's artifact (a plan, a baseline) with secrets in it.
    writeRunArtifact('baseline.json', { body: all(), status: 200 })
  })

  it('a check failing with a remote stderr tail', () => {
    throw new Error(`remote stderr: ${all()}`)
  })

  it('a check whose assertion shows a secret in its diff', () => {
    expect(`HTTP body: ${all()}`).toBe('HTTP body: something else')
  })

  it('a check logging an HTTP body', () => {
    console.log(`body: ${all()}`)
    expect(1).toBe(1)
  })

  describe('an action that fails', () => {
    beforeAll(() => {
      throw new Error(`log line: ${all()}`)
    })
    it('its check', () => {})
  })

  if (process.env.LEAK_PLANT === '1')
    it('a helper that writes around the redaction layer', () => {
      const planted = Buffer.from(`Authorization: ${readSecret('dashboardPassword')}`)
      writeFileSync(join(runFolder(), 'planted.b64.gz'), gzipSync(planted.toString('base64')))
    })
})
