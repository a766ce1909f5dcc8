import { afterEach, describe, expect, it } from 'vitest'
import { clearSecretsForTest, redact, redactDeep, registerSecret } from './redact.ts'

describe('redaction', () => {
  afterEach(() => clearSecretsForTest())

  it('masks a secret in every form it is written in', () => {
    const v = `pa<ss>&"wo'rd/+x`
    registerSecret('NIXFLEET_PASSWORD', v)
    for (const form of [
      v,
      encodeURIComponent(v),
      JSON.stringify(v).slice(1, -1),
      'pa&lt;ss&gt;&amp;&quot;wo&#39;rd/+x',
      'pa<ss>&"wo\\\'rd/+x',
    ])
      expect(redact(`body: ${form}.`), form).toBe('body: «redacted:NIXFLEET_PASSWORD».')
  })

  it('masks the beginning of a secret cut off by an assertion message', () => {
    registerSecret('NIXFLEET_TOTP_SECRET', 'JBSWY3DPEHPK3PXPKRUGS4ZANFZSA5DP')
    expect(redact("expected 'body: JBSWY3…' to be")).toBe(
      "expected 'body: «redacted:NIXFLEET_TOTP_SECRET»…' to be",
    )
    expect(redact("expected 'body: word…' to be")).toBe("expected 'body: word…' to be")
  })

  it('a short or numeric secret is masked as a whole token and never breaks JSON', () => {
    registerSecret('NIXFLEET_AGENT_TOKEN', '42')
    registerSecret('csrf_token', 'ab')
    expect(redact('token 42 at 1427 in table ab')).toBe(
      'token «redacted:NIXFLEET_AGENT_TOKEN» at 1427 in table «redacted:csrf_token»',
    )
    const entry = { exitCode: 42, durationMs: 4242, stderr: 'token 42', 'x"ab': 'ab"' }
    const out = JSON.stringify(redactDeep(entry))
    expect(JSON.parse(out)).toEqual({
      exitCode: 42,
      durationMs: 4242,
      stderr: 'token «redacted:NIXFLEET_AGENT_TOKEN»',
      'x"«redacted:csrf_token»': '«redacted:csrf_token»"',
    })
  })
})
