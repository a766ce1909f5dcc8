/** MIGRATION_PLAN=1: every phase prints what it would do and does nothing. */
export const PLAN_VARIABLE = 'MIGRATION_PLAN'

export function planMode(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[PLAN_VARIABLE] === '1'
}
