import { createGuardrails, generate, verify } from 'otplib'

/**
 * TOTP as NixFleet's dashboards use it: SHA1, 6 digits, 30 s period, one step
 * of skew either way (pquerna/otp defaults, pyotp valid_window=1). Secrets of
 * 10 bytes (16 base32 characters) are common and were used by the fleet, so
 * otplib 13's 16-byte minimum is relaxed to 10.
 */
const guardrails = createGuardrails({ MIN_SECRET_BYTES: 10 })
export const TOTP_PERIOD_S = 30

export function totpCode(secret: string, atMs = Date.now()): Promise<string> {
  return generate({
    secret,
    epoch: Math.floor(atMs / 1000),
    period: TOTP_PERIOD_S,
    digits: 6,
    algorithm: 'sha1',
    guardrails,
  })
}

export async function totpValid(
  secret: string,
  token: string,
  atMs = Date.now(),
): Promise<boolean> {
  if (!/^\d{6}$/.test(token)) return false
  const r = await verify({
    secret,
    token,
    epoch: Math.floor(atMs / 1000),
    period: TOTP_PERIOD_S,
    digits: 6,
    algorithm: 'sha1',
    epochTolerance: TOTP_PERIOD_S,
    guardrails,
  })
  return r.valid
}

/** Seconds left in the current 30 s window; codes generated near its end may expire in flight. */
export function totpSecondsLeft(atMs = Date.now()): number {
  return TOTP_PERIOD_S - (Math.floor(atMs / 1000) % TOTP_PERIOD_S)
}
