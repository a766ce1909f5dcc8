import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { resolveTarget, targetBanner } from '../config/target.ts'
import { loadInventory } from '../inventory/load-inventory.ts'
import { say } from '../output/say.ts'
import { fleetDown, parseFaults, runningFleet } from '../rehearsal/fleet-lifecycle.ts'
import { exportRehearsalSecrets, ensureRehearsalSecrets } from '../rehearsal/secrets.ts'
import { loadWorld } from '../rehearsal/world.ts'
import { openRunSecrets } from './begin-run.ts'
import { parseStartAs } from '../rehearsal/start-as.ts'
import { runFolder, startRun } from './run-folder.ts'
import { beginRunMeta } from '../report/run-meta.ts'
import { describeScope } from './scope.ts'
import { planMode, PLAN_VARIABLE } from '../plan/phase-plan.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * Runs once before any runbook file, in the main process: the target is
 * printed first, and a bad target, a missing confirmation or a broken
 * inventory stop the run before any host is touched. In rehearsal, the
 * simulated fleet is attached to (if one is running) or started, and removed
 * at the end unless it was already running or REHEARSAL_KEEP=1.
 */
export default function setup(): (() => void) | undefined {
  // First: from here on every secret any process of this run registers reaches the reporter.
  openRunSecrets()
  const target = resolveTarget()
  say(targetBanner(target))
  const inventory = loadInventory()
  say(`inventory: ${inventory.file} (${inventory.hosts.length} hosts)`)
  // A wrong name in HOSTS stops the run here, before any host is touched.
  say(`scope: ${describeScope(inventory)}`)
  const runId = startRun(target)
  say(`run: reports/${runId}`)
  if (planMode())
    say(`PLAN MODE (${PLAN_VARIABLE}=1): each phase prints what it would do; nothing is changed`)
  if (target === 'production') {
    beginRunMeta(runFolder(), runId)
    return undefined
  }

  const world = loadWorld()
  const faults = parseFaults(process.env.REHEARSAL_FAULTS, world)
  // Validated here, before anything starts; the child reads the same variable.
  parseStartAs(process.env.REHEARSAL_START_AS)
  // A fault or a requested start state needs a fresh fleet; otherwise a running one is reused.
  const running =
    faults.length === 0 && process.env.REHEARSAL_START_AS === undefined ? runningFleet() : undefined
  if (!running && planMode()) {
    // A plan needs no fleet: it reads the inventory and the working copy only.
    say('rehearsal: plan mode, no fleet running: none is started (the working copy may be absent)')
    exportRehearsalSecrets(ensureRehearsalSecrets())
    beginRunMeta(runFolder(), runId)
    return undefined
  }
  if (running) {
    say(
      `rehearsal: attaching to the fleet started ${running.startedAt} (as ${running.startedAs}; REHEARSAL_START_AS=… starts a fresh one)`,
    )
    exportRehearsalSecrets(ensureRehearsalSecrets())
    beginRunMeta(runFolder(), runId)
    return undefined
  }
  // In a child process: the Docker clients that start containers keep sockets open, which
  // would hold this main process after the run.
  const up = spawnSync('npx', ['tsx', 'helpers/rehearsal/cli.ts', 'up'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  })
  if (up.status !== 0)
    throw new Error(`the rehearsal fleet did not start (exit ${up.status ?? up.signal})`)
  exportRehearsalSecrets(ensureRehearsalSecrets())
  beginRunMeta(runFolder(), runId)
  return () => {
    if (process.env.REHEARSAL_KEEP !== '1') fleetDown(world)
  }
}
