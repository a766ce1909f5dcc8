import { describe, expect, it } from 'vitest'
import { totpCode, totpSecondsLeft, totpValid } from './totp.ts'

// RFC 6238 test secret "12345678901234567890" in base32.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'

describe('TOTP (SHA1, 6 digits, 30 s, one step of skew)', () => {
  it('matches the RFC 6238 test vector', async () => {
    expect(await totpCode(RFC_SECRET, 59_000)).toBe('287082')
    expect(await totpCode(RFC_SECRET, 1111111109_000)).toBe('081804')
  })

  it('accepts the previous and next step, refuses two steps away', async () => {
    const now = 1_765_700_000_000
    const code = await totpCode(RFC_SECRET, now)
    expect(await totpValid(RFC_SECRET, code, now + 30_000)).toBe(true)
    expect(await totpValid(RFC_SECRET, code, now - 30_000)).toBe(true)
    expect(await totpValid(RFC_SECRET, code, now + 60_000)).toBe(false)
    expect(await totpValid(RFC_SECRET, '12345', now)).toBe(false)
  })

  it('works with a 10-byte secret as the fleet used', async () => {
    const short = 'JBSWY3DPEHPK3PXP'
    const code = await totpCode(short)
    expect(await totpValid(short, code)).toBe(true)
  })

  it('knows how long the current code lives', () => {
    expect(totpSecondsLeft(1_000_019_000)).toBe(1)
  })
})
