import { toMs, type Duration } from '../../../../helpers/time/duration.ts'

/**
 * Configuration of the simulated v2 dashboard: the environment variables the
 * real one (b860b3a, internal/dashboard/config.go) reads. A missing required
 * variable stops the process with the real message. The v1 names
 * (NIXFLEET_API_TOKEN, NIXFLEET_SESSION_SECRETS) are not read.
 */
export interface DashboardConfig {
  passwordHash: string
  sessionSecret: string
  agentToken: string
  totpSecret: string
  listen: { host: string; port: number }
  dataDir: string
  dbPath: string
  sessionDurationMs: number
  rateLimit: number
  rateWindowMs: number
}

function duration(v: string, name: string): number {
  try {
    return toMs(v as Duration)
  } catch {
    throw new Error(`invalid ${name}: ${v}`)
  }
}

export function loadConfig(env: NodeJS.ProcessEnv): DashboardConfig {
  const errors: string[] = []
  const required = (name: string): string => {
    const v = env[name]
    if (!v) errors.push(`${name} is required`)
    return v ?? ''
  }
  const passwordHash = required('NIXFLEET_PASSWORD_HASH')
  const sessionSecret = required('NIXFLEET_SESSION_SECRET')
  const agentToken = required('NIXFLEET_AGENT_TOKEN')
  if (passwordHash && !/^\$2[ab]\$/.test(passwordHash))
    errors.push('NIXFLEET_PASSWORD_HASH must be a bcrypt hash ($2a$ or $2b$)')
  if (errors.length) throw new Error(`failed to load configuration: ${errors.join('; ')}`)
  const listen = env.NIXFLEET_LISTEN ?? ':8000'
  const [host, port] = listen.split(':')
  const dataDir = env.NIXFLEET_DATA_DIR ?? '/data'
  return {
    passwordHash,
    sessionSecret,
    agentToken,
    totpSecret: env.NIXFLEET_TOTP_SECRET ?? '',
    // Go's ":8000" listens on every address, IPv6 included (busybox wget tries ::1 for localhost).
    listen: { host: host ?? '', port: Number(port) },
    dataDir,
    dbPath: env.NIXFLEET_DB_PATH ?? `${dataDir}/nixfleet.db`,
    sessionDurationMs: duration(
      env.NIXFLEET_SESSION_DURATION ?? '24h',
      'NIXFLEET_SESSION_DURATION',
    ),
    rateLimit: Number(env.NIXFLEET_RATE_LIMIT ?? '5'),
    rateWindowMs: duration(env.NIXFLEET_RATE_WINDOW ?? '1m', 'NIXFLEET_RATE_WINDOW'),
  }
}
