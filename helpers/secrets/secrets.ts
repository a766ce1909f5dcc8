import { readFileSync } from 'node:fs'
import { registerSecret } from './redact.ts'

/**
 * The runbook's secrets. Each comes from an environment variable, or from a
 * file named by `<VAR>_FILE` (so values need not sit in shell history).
 * They are read only when a step needs them, and registered for redaction
 * the moment they are read.
 */
export const SECRET_VARIABLES = {
  dashboardPassword: 'NIXFLEET_PASSWORD',
  totpSecret: 'NIXFLEET_TOTP_SECRET',
  agentToken: 'NIXFLEET_AGENT_TOKEN',
} as const

export type SecretName = keyof typeof SECRET_VARIABLES

export class MissingSecretError extends Error {
  override name = 'MissingSecretError'
}

export function readSecret(name: SecretName, env: NodeJS.ProcessEnv = process.env): string {
  const variable = SECRET_VARIABLES[name]
  const direct = env[variable]
  const file = env[`${variable}_FILE`]
  if (direct && file) {
    throw new MissingSecretError(`both ${variable} and ${variable}_FILE are set; set only one`)
  }
  let value = direct
  if (file) {
    try {
      value = readFileSync(file, 'utf8').replace(/\r?\n$/, '')
    } catch (err) {
      throw new MissingSecretError(
        `${variable}_FILE=${file} cannot be read: ${(err as Error).message}`,
      )
    }
  }
  if (!value) {
    throw new MissingSecretError(
      `secret ${name} is not set: export ${variable}=… or ${variable}_FILE=/path/to/file`,
    )
  }
  registerSecret(variable, value)
  return value
}

/** Registers every secret that is present, so output is redacted even before a step reads it. */
export function registerPresentSecrets(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of Object.keys(SECRET_VARIABLES) as SecretName[]) {
    const variable = SECRET_VARIABLES[name]
    if (env[variable] || env[`${variable}_FILE`]) readSecret(name, env)
  }
}
