import { PLAN_VARIABLE } from './plan-mode.ts'

/**
 * Which fleet a run acts on. Rehearsal is the default. Production must be
 * asked for by name AND confirmed with the confirmation code of the plan the
 * operator reviewed (printed by plan mode), so neither a stray
 * MIGRATION_TARGET in a shell profile nor an exported word can touch real
 * machines: the code is bound to the plan (phase, steps, nixcfg commit) and
 * stops matching as soon as anything it covers changes.
 */
export type Target = 'rehearsal' | 'production'

export const TARGET_VARIABLE = 'MIGRATION_TARGET'
export const CONFIRM_VARIABLE = 'MIGRATION_CONFIRM'

/** A confirmation code as plan mode prints it: 12 hex digits of the plan's sha256. */
export const CONFIRM_CODE = /^[0-9a-f]{12}$/

export class TargetError extends Error {
  override name = 'TargetError'
}

/** The confirmation codes given in MIGRATION_CONFIRM (comma-separated, one per phase). */
export function confirmCodes(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[CONFIRM_VARIABLE] ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)
}

export function resolveTarget(env: NodeJS.ProcessEnv = process.env): Target {
  const raw = (env[TARGET_VARIABLE] ?? 'rehearsal').trim()
  if (raw === 'rehearsal') return 'rehearsal'
  if (raw !== 'production') {
    throw new TargetError(
      `${TARGET_VARIABLE}="${raw}" is not a target: use "rehearsal" (default) or "production"`,
    )
  }
  // A production run acts on the real fleet: nothing of the simulated world may steer it.
  const rehearsalVars = Object.keys(env).filter((k) => k.startsWith('REHEARSAL_') && env[k])
  if (rehearsalVars.length)
    throw new TargetError(
      `refusing a PRODUCTION run with rehearsal settings in the environment: unset ${rehearsalVars.join(', ')}`,
    )
  // Plan mode changes nothing: it is how the operator gets the code to confirm with.
  if (env[PLAN_VARIABLE] === '1') return 'production'
  const codes = confirmCodes(env)
  if (!codes.length || codes.some((c) => !CONFIRM_CODE.test(c))) {
    throw new TargetError(
      `refusing to run against PRODUCTION without a confirmation bound to this plan: ` +
        `run the phase in plan mode first (${PLAN_VARIABLE}=1 ${TARGET_VARIABLE}=production npx vitest run specs/…), ` +
        `review the plan, then give back the confirmation code it prints as ${CONFIRM_VARIABLE}=<code> ` +
        `(an exported word such as "production" is not a confirmation; got ${codes.length ? `"${env[CONFIRM_VARIABLE]}"` : 'nothing'})`,
    )
  }
  return 'production'
}

/**
 * For everything that is not an explicit production run (unit, fleet and
 * fault tests, benchmarks, `npm run rehearse`): refuses at once when the
 * environment asks for production, and otherwise pins the rehearsal target,
 * so a production setting exported in the operator's shell is never
 * inherited by the run or by anything it starts.
 */
export function forceRehearsal(what: string, env: NodeJS.ProcessEnv = process.env): void {
  const raw = env[TARGET_VARIABLE]?.trim()
  if (raw && raw !== 'rehearsal')
    throw new TargetError(
      `${what} only rehearses: refusing to start with ${TARGET_VARIABLE}=${raw} in the environment ` +
        `(a production run is only \`${TARGET_VARIABLE}=production ${CONFIRM_VARIABLE}=<code> npx vitest run specs/…\`); ` +
        `unset ${TARGET_VARIABLE} and ${CONFIRM_VARIABLE}`,
    )
  env[TARGET_VARIABLE] = 'rehearsal'
  delete env[CONFIRM_VARIABLE]
}

/**
 * The variables a rehearsal's child process must not inherit from the
 * operator's shell: the production switches, the real secrets and the real
 * working copy and SSH set-up (the rehearsal has its own).
 */
const NOT_INHERITED = [
  /^MIGRATION_/,
  /^NIXFLEET_/,
  /^NIXCFG_WORKTREE$/,
  /^SSH_CONFIG$/,
  /^SSH_AUTH_SOCK$/,
  /^ROLLBACK_/,
  /^PHASE3_HOSTS$/,
  /^HOSTS$/,
  /^STEPS$/,
]

/** A clean environment for a rehearsal child process: the target pinned, nothing of production. */
export function rehearsalChildEnv(
  extra: Record<string, string> = {},
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env))
    if (v !== undefined && !NOT_INHERITED.some((re) => re.test(k))) out[k] = v
  return { ...out, [TARGET_VARIABLE]: 'rehearsal', ...extra }
}

export function targetBanner(target: Target): string {
  return target === 'production'
    ? '=== TARGET: PRODUCTION — commands run on the real fleet ==='
    : '=== TARGET: REHEARSAL — simulated fleet in containers ==='
}
