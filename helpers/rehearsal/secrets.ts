import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { registerSecret } from '../secrets/redact.ts'
import { paths } from './state.ts'

/**
 * Secrets made for each rehearsal. They are handed to the suite under the
 * names production uses (NIXFLEET_AGENT_TOKEN, …) and registered for redaction.
 */
export interface RehearsalSecrets {
  agentToken: string
}

export function ensureRehearsalSecrets(): RehearsalSecrets {
  let s: RehearsalSecrets
  if (existsSync(paths.secrets)) {
    s = JSON.parse(readFileSync(paths.secrets, 'utf8')) as RehearsalSecrets
  } else {
    s = { agentToken: randomBytes(24).toString('hex') }
    writeFileSync(paths.secrets, JSON.stringify(s) + '\n', { mode: 0o600 })
  }
  registerSecret('NIXFLEET_AGENT_TOKEN', s.agentToken)
  return s
}

/** Exports the rehearsal's secrets as the environment a production run would have. */
export function exportRehearsalSecrets(
  s: RehearsalSecrets,
  env: NodeJS.ProcessEnv = process.env,
): void {
  env.NIXFLEET_AGENT_TOKEN ??= s.agentToken
}
