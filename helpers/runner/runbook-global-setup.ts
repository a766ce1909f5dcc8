import { resolveTarget, targetBanner } from '../config/target.ts'
import { loadInventory } from '../inventory/load-inventory.ts'
import { say } from '../output/say.ts'
import { fleetDown, fleetUp, parseFaults, runningFleet } from '../rehearsal/fleet-lifecycle.ts'
import { exportRehearsalSecrets, ensureRehearsalSecrets } from '../rehearsal/secrets.ts'
import { loadWorld } from '../rehearsal/world.ts'
import { registerPresentSecrets } from '../secrets/secrets.ts'
import { parseStartAs } from '../rehearsal/start-as.ts'
import { startRun } from './run-folder.ts'

/**
 * Runs once before any runbook file, in the main process: the target is
 * printed first, and a bad target, a missing confirmation or a broken
 * inventory stop the run before any host is touched. In rehearsal, the
 * simulated fleet is attached to (if one is running) or started, and removed
 * at the end unless it was already running or REHEARSAL_KEEP=1.
 */
export default async function setup(): Promise<(() => void) | undefined> {
  registerPresentSecrets()
  const target = resolveTarget()
  say(targetBanner(target))
  const inventory = loadInventory()
  say(`inventory: ${inventory.file} (${inventory.hosts.length} hosts)`)
  const runId = startRun(target)
  say(`run: reports/${runId}`)
  if (target === 'production') return undefined

  const world = loadWorld()
  const faults = parseFaults(process.env.REHEARSAL_FAULTS, world)
  const as = parseStartAs(process.env.REHEARSAL_START_AS)
  // A fault or a requested start state needs a fresh fleet; otherwise a running one is reused.
  const running =
    faults.length === 0 && process.env.REHEARSAL_START_AS === undefined ? runningFleet() : undefined
  if (running) {
    say(
      `rehearsal: attaching to the fleet started ${running.startedAt} (as ${running.startedAs}; REHEARSAL_START_AS=… starts a fresh one)`,
    )
    exportRehearsalSecrets(ensureRehearsalSecrets())
    return undefined
  }
  await fleetUp({ faults, as })
  return () => {
    if (process.env.REHEARSAL_KEEP !== '1') fleetDown(world)
  }
}
