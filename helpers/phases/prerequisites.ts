import type { Fleet } from '../fleet/fleet.ts'
import { dashboardClient } from '../dashboard/dashboard-access.ts'
import { say } from '../output/say.ts'
import { dashboardStack } from './phase2.ts'
import { verifiedBackup } from './rollback-dashboard.ts'

/** Set to 1 to act even when a phase's prerequisites are not met (printed, never silent). */
export const OVERRIDE_VARIABLE = 'MIGRATION_IGNORE_PREREQUISITES'

export class PrerequisiteError extends Error {
  override name = 'PrerequisiteError'
}

/** What `GET <dashboard>/ws` without credentials answers: 404 from v1, 401 from v2. */
async function wsStatus(fleet: Fleet): Promise<string> {
  const c = dashboardClient(fleet.target, fleet.inventory.dashboard.url)
  try {
    return `HTTP ${(await c.http('GET', '/ws')).status}`
  } catch (err) {
    return `no answer (${(err as Error).message})`
  } finally {
    await c.close()
  }
}

/** Phase 2 changes csb1 only once v1 is down and its data is safe. */
export async function phase2Unmet(fleet: Fleet): Promise<string[]> {
  const unmet: string[] = []
  const url = fleet.inventory.dashboard.url
  const ws = await wsStatus(fleet)
  if (ws === 'HTTP 404')
    unmet.push(
      `the v1 dashboard still answers at ${url} (/ws ${ws}, as v1 does): run phase 1 first`,
    )
  try {
    await verifiedBackup(dashboardStack(fleet), {
      what: 'no verified v1 backup',
      left: 'phase 1 takes it',
    })
  } catch (err) {
    unmet.push((err as Error).message)
  }
  return unmet
}

/** Agents are switched to v2 only when the v2 dashboard is there to take them. */
export async function agentsUnmet(fleet: Fleet): Promise<string[]> {
  const ws = await wsStatus(fleet)
  return ws === 'HTTP 401'
    ? []
    : [
        `the v2 dashboard does not answer at ${fleet.inventory.dashboard.ws_url} (/ws ${ws}; v2 answers 401): the agents would have nothing to connect to`,
      ]
}

/** Refuses with every unmet prerequisite, unless the operator overrides (then says so). */
export function enforcePrerequisites(
  what: string,
  unmet: string[],
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (!unmet.length) return
  const list = unmet.join('; ')
  if (env[OVERRIDE_VARIABLE] === '1') {
    say(
      `WARNING: ${what}: prerequisites not met, going ahead because ${OVERRIDE_VARIABLE}=1: ${list}`,
    )
    return
  }
  throw new PrerequisiteError(
    `${what} refused, nothing was changed: ${list} (${OVERRIDE_VARIABLE}=1 overrides)`,
  )
}

/** Runs `check` once, however many actions need it. */
export function once(check: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined
  return () => (p ??= check())
}
