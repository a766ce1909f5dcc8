import { resolveTarget, targetBanner } from '../config/target.ts'
import { loadInventory } from '../inventory/load-inventory.ts'
import { say } from '../output/say.ts'
import { planMode, PLAN_VARIABLE } from '../config/plan-mode.ts'
import { openRunSecrets } from './begin-run.ts'
import { startRun } from '../transcript/run-folder.ts'
import { describeScope } from '../config/scope.ts'
import { forcedSteps } from '../flow/step-ledger.ts'

/**
 * Runs first, once, in the main process, before any runbook file: the
 * target is printed first, and a bad target, a missing confirmation or a
 * broken inventory stop the run before any host is touched (and before a
 * rehearsal fleet is started). The target's own set-up comes next
 * (`rehearsal/global-setup/runbook.ts` for a rehearsal; nothing for
 * production), then `run-meta-global-setup.ts` records the run's start.
 */
export default function setup(): void {
  // First: from here on every secret any process of this run registers reaches the reporter.
  openRunSecrets()
  const target = resolveTarget()
  say(targetBanner(target))
  const inventory = loadInventory()
  say(`inventory: ${inventory.file} (${inventory.hosts.length} hosts)`)
  // A wrong name in HOSTS stops the run here, before any host is touched.
  say(`scope: ${describeScope(inventory)}`)
  // A wrong step id in STEPS stops the run here too.
  const forced = forcedSteps()
  if (forced.length) say(`STEPS=${forced.join(',')}: run again even where already proven`)
  const runId = startRun(target)
  say(`run: reports/${runId}`)
  if (planMode())
    say(`PLAN MODE (${PLAN_VARIABLE}=1): each phase prints what it would do; nothing is changed`)
}
