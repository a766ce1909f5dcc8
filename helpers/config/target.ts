/**
 * Which fleet a run acts on. Rehearsal is the default; production must be
 * asked for by name AND confirmed by a second, deliberate variable, so a
 * stray MIGRATION_TARGET in a shell profile cannot touch real machines.
 */
export type Target = 'rehearsal' | 'production'

export const TARGET_VARIABLE = 'MIGRATION_TARGET'
export const CONFIRM_VARIABLE = 'MIGRATION_CONFIRM'

export class TargetError extends Error {
  override name = 'TargetError'
}

export function resolveTarget(env: NodeJS.ProcessEnv = process.env): Target {
  const raw = (env[TARGET_VARIABLE] ?? 'rehearsal').trim()
  if (raw === 'rehearsal') return 'rehearsal'
  if (raw !== 'production') {
    throw new TargetError(
      `${TARGET_VARIABLE}="${raw}" is not a target: use "rehearsal" (default) or "production"`,
    )
  }
  if (env[CONFIRM_VARIABLE] !== 'production') {
    throw new TargetError(
      `refusing to run against PRODUCTION without confirmation: ` +
        `set ${CONFIRM_VARIABLE}=production (the word itself) in addition to ${TARGET_VARIABLE}=production`,
    )
  }
  return 'production'
}

export function targetBanner(target: Target): string {
  return target === 'production'
    ? '=== TARGET: PRODUCTION — commands run on the real fleet ==='
    : '=== TARGET: REHEARSAL — simulated fleet in containers ==='
}
