import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { resolveTarget } from '../../helpers/config/target.ts'
import { say } from '../../helpers/output/say.ts'
import { planMode } from '../../helpers/config/plan-mode.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * A runbook run's target set-up when the target is the rehearsal: the
 * simulated fleet is attached to (if one is running) or started, its
 * secrets are handed over under production's names, and it is described
 * for the product (REHEARSAL_TARGET_FILE); the fleet is removed at the end
 * unless it was already running or REHEARSAL_KEEP=1. For production it does
 * nothing and loads nothing of the simulated world.
 */
export default async function setup(): Promise<(() => void) | undefined> {
  if (resolveTarget() === 'production') return undefined
  const { fleetDown, parseFaults, runningFleet } = await import('../world/fleet-lifecycle.ts')
  const { exportRehearsalSecrets, ensureRehearsalSecrets } = await import('../world/secrets.ts')
  const { loadWorld } = await import('../world/world.ts')
  const { parseStartAs } = await import('../../helpers/runner/start-as.ts')
  const { describeRehearsalTarget } = await import('../world/target-description.ts')

  const world = loadWorld()
  const faults = parseFaults(process.env.REHEARSAL_FAULTS, world)
  // Validated here, before anything starts; the child reads the same variable.
  parseStartAs(process.env.REHEARSAL_START_AS)
  describeRehearsalTarget()
  // A fault or a requested start state needs a fresh fleet; otherwise a running one is reused.
  const running =
    faults.length === 0 && process.env.REHEARSAL_START_AS === undefined ? runningFleet() : undefined
  if (!running && planMode()) {
    // A plan needs no fleet: it reads the inventory and the working copy only.
    say('rehearsal: plan mode, no fleet running: none is started (the working copy may be absent)')
    exportRehearsalSecrets(ensureRehearsalSecrets())
    return undefined
  }
  if (running) {
    say(
      `rehearsal: attaching to the fleet started ${running.startedAt} (as ${running.startedAs}; REHEARSAL_START_AS=… starts a fresh one)`,
    )
    exportRehearsalSecrets(ensureRehearsalSecrets())
    return undefined
  }
  // In a child process: the Docker clients that start containers keep sockets open, which
  // would hold this main process after the run.
  const up = spawnSync('npx', ['tsx', 'rehearsal/world/cli.ts', 'up'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  })
  if (up.status !== 0)
    throw new Error(`the rehearsal fleet did not start (exit ${up.status ?? up.signal})`)
  exportRehearsalSecrets(ensureRehearsalSecrets())
  return () => {
    if (process.env.REHEARSAL_KEEP !== '1') fleetDown(world)
  }
}
