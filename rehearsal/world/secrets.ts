import bcrypt from 'bcryptjs'
import { randomBytes } from 'node:crypto'
import { generateSecret } from 'otplib'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { registerSecret } from '../../helpers/secrets/redact.ts'
import { paths } from './state.ts'

/**
 * Secrets made for each rehearsal. They are handed to the suite under the
 * names production uses (NIXFLEET_AGENT_TOKEN, …) and registered for redaction.
 */
export interface RehearsalSecrets {
  agentToken: string
  password: string
  passwordHash: string
  totpSecret: string
  sessionSecret: string
  v1HashSecret: string
}

export function ensureRehearsalSecrets(): RehearsalSecrets {
  let s: RehearsalSecrets
  if (existsSync(paths.secrets)) {
    s = JSON.parse(readFileSync(paths.secrets, 'utf8')) as RehearsalSecrets
  } else {
    const password = randomBytes(12).toString('base64url')
    s = {
      agentToken: randomBytes(24).toString('hex'),
      password,
      passwordHash: bcrypt.hashSync(password, 10),
      totpSecret: generateSecret({ length: 20 }),
      sessionSecret: randomBytes(32).toString('hex'),
      v1HashSecret: randomBytes(32).toString('hex'),
    }
    // A fresh clone has no state folder yet (plan mode runs before any fleet was started).
    mkdirSync(paths.dir, { recursive: true })
    writeFileSync(paths.secrets, JSON.stringify(s) + '\n', { mode: 0o600 })
  }
  registerSecret('NIXFLEET_AGENT_TOKEN', s.agentToken)
  registerSecret('NIXFLEET_PASSWORD', s.password)
  registerSecret('NIXFLEET_TOTP_SECRET', s.totpSecret)
  registerSecret('NIXFLEET_SESSION_SECRET', s.sessionSecret)
  registerSecret('NIXFLEET_AGENT_TOKEN_HASH_SECRET', s.v1HashSecret)
  return s
}

/** Exports the rehearsal's secrets as the environment a production run would have. */
export function exportRehearsalSecrets(
  s: RehearsalSecrets,
  env: NodeJS.ProcessEnv = process.env,
): void {
  // The rehearsal's own values, always: a real secret exported in the operator's shell
  // must never be sent to the simulated fleet or written into its reports.
  for (const v of ['NIXFLEET_AGENT_TOKEN', 'NIXFLEET_PASSWORD', 'NIXFLEET_TOTP_SECRET'])
    delete env[`${v}_FILE`]
  env.NIXFLEET_AGENT_TOKEN = s.agentToken
  env.NIXFLEET_PASSWORD = s.password
  env.NIXFLEET_TOTP_SECRET = s.totpSecret
  // Every value of the rehearsal is a secret for output purposes (the hash and the
  // session secret too: they sit in csb1's env file and must not leak from it).
  for (const [label, value] of Object.entries(s) as [string, string][])
    registerSecret(`rehearsal ${label}`, value)
}
