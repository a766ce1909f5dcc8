import type { Fleet } from '../fleet/fleet.ts'
import { dashboardClient } from '../dashboard/dashboard-access.ts'
import { classifyWsAnswer, type WsAnswer } from '../dashboard/ws-answer.ts'
import { say } from '../output/say.ts'
import { runningAgent } from '../checks/agent-version.ts'
import { lockedRev } from '../nixcfg/flake-lock.ts'
import type { Worktree } from '../nixcfg/worktree.ts'
import { perHost } from '../flow/per-host.ts'
import { readSecret, type SecretName } from '../secrets/secrets.ts'
import { dashboardStack } from './phase2.ts'
import { verifiedBackup } from './rollback-dashboard.ts'

/** Set to 1 to act even when a phase's prerequisites are not met (printed, never silent). */
export const OVERRIDE_VARIABLE = 'MIGRATION_IGNORE_PREREQUISITES'

export class PrerequisiteError extends Error {
  override name = 'PrerequisiteError'
}

/** Who answers `GET <dashboard>/ws` without credentials (v1, v2, Traefik with no router, …). */
async function wsAnswer(fleet: Fleet): Promise<WsAnswer> {
  const c = dashboardClient(fleet.target, fleet.inventory.dashboard.url)
  try {
    return classifyWsAnswer(await c.http('GET', '/ws'))
  } catch (err) {
    return { kind: 'none', detail: `no answer (${(err as Error).message})` }
  } finally {
    await c.close()
  }
}

/**
 * Phase 1 retires v1. Run again once v2 is there, it would disable v2 agents,
 * stop the v2 dashboard and file the v2 database as the "v1 backup": it is
 * refused when nixcfg pins nixfleet to the v2 release, the dashboard answers
 * as v2, or a host in scope runs the v2 agent. A host that cannot be reached
 * is not judged here: its own checks report it.
 */
export async function phase1Unmet(
  fleet: Fleet,
  tree: Worktree,
  hosts: string[],
): Promise<string[]> {
  const unmet: string[] = []
  const inv = fleet.inventory
  const rev = lockedRev(tree.dir, inv.nixcfg.nixfleet_input)
  if (rev === inv.nixcfg.nixfleet_v2_rev)
    unmet.push(
      `nixcfg's flake.lock already pins ${inv.nixcfg.nixfleet_input} to the v2 release ${rev.slice(0, 12)}: the migration to v2 is under way`,
    )
  const ws = await wsAnswer(fleet)
  if (ws.kind === 'v2')
    unmet.push(
      `the dashboard at ${inv.dashboard.url} answers as v2 (/ws ${ws.detail}): phase 1 would stop it and file its database as the v1 backup`,
    )
  const agents = await perHost(hosts, hosts.length, (h) => runningAgent(fleet.get(h)))
  const v2 = [...agents.values()].filter((o) => o.ok && o.value.kind === 'v2').map((o) => o.host)
  if (v2.length)
    unmet.push(`${v2.join(', ')} already run(s) the v2 agent: phase 1 would disable it`)
  return unmet
}

/**
 * Every secret a phase will need, read and checked before its first change:
 * all missing ones are named at once, instead of the phase failing half-way.
 */
export function requireSecrets(
  what: string,
  names: SecretName[],
  env: NodeJS.ProcessEnv = process.env,
): void {
  const problems: string[] = []
  for (const n of names)
    try {
      readSecret(n, env)
    } catch (err) {
      problems.push((err as Error).message)
    }
  if (problems.length)
    throw new PrerequisiteError(`${what} refused, nothing was changed: ${problems.join('; ')}`)
}

/** Phase 2 changes csb1 only once v1 is down and its data is safe. */
export async function phase2Unmet(fleet: Fleet): Promise<string[]> {
  const unmet: string[] = []
  const url = fleet.inventory.dashboard.url
  // After phase 1 the real front answers Traefik's own 404 for the name (no
  // router left): that is "v1 is gone", not "v1 still answers".
  const ws = await wsAnswer(fleet)
  if (ws.kind === 'v1')
    unmet.push(
      `the v1 dashboard still answers at ${url} (/ws ${ws.detail}, as v1 does): run phase 1 first`,
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
  const ws = await wsAnswer(fleet)
  return ws.kind === 'v2'
    ? []
    : [
        `the v2 dashboard does not answer at ${fleet.inventory.dashboard.ws_url} (/ws ${ws.detail}; v2 answers 401): the agents would have nothing to connect to`,
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
