import { openFleet } from '../fleet/fleet.ts'
import { loadInventory } from '../inventory/load-inventory.ts'
import { runPhase1 } from '../phases/phase1.ts'
import { say } from '../output/say.ts'
import { targetAccess } from '../config/target-access.ts'

/**
 * The states a rehearsal fleet can be started in, so one phase can be
 * rehearsed alone: `initial` (v1 everywhere, as before the plan) or
 * `phase1-done` (brought there by the phase 1 runbook itself, not by a
 * shortcut, so its state is exactly what phase 2 meets in production).
 */
export const START_STATES = ['initial', 'phase1-done'] as const
export type StartState = (typeof START_STATES)[number]

export function parseStartAs(text: string | undefined): StartState {
  const v = text?.trim() || 'initial'
  if (!(START_STATES as readonly string[]).includes(v))
    throw new Error(`REHEARSAL_START_AS: unknown state "${v}" (known: ${START_STATES.join(', ')})`)
  return v as StartState
}

export async function bringTo(state: StartState): Promise<void> {
  if (state === 'initial') return
  say('rehearsal: bringing the fleet to "phase1-done" with the phase 1 runbook')
  const fleet = openFleet({
    target: 'rehearsal',
    inventory: loadInventory(),
    // The rehearsal describes itself before it asks for a start state (REHEARSAL_TARGET_FILE).
    ssh: targetAccess('rehearsal').ssh,
  })
  try {
    const r = await runPhase1(fleet)
    const failed = [...r.switches.values()].filter((o) => !o.ok)
    if (failed.length || 'error' in r.dashboard)
      throw new Error(
        `phase 1 did not complete on the fresh fleet: ${[
          ...failed.map((o) => (o.ok ? '' : `${o.host}: ${o.error.message}`)),
          'error' in r.dashboard ? `dashboard: ${r.dashboard.error.message}` : '',
        ]
          .filter(Boolean)
          .join('; ')}`,
      )
  } finally {
    await fleet.close()
  }
}
