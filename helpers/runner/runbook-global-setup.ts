import { resolveTarget, targetBanner } from '../config/target.ts'
import { loadInventory } from '../inventory/load-inventory.ts'
import { say } from '../output/say.ts'
import { registerPresentSecrets } from '../secrets/secrets.ts'
import { startRun } from './run-folder.ts'

/**
 * Runs once before any runbook file, in the main process: the target is
 * printed first, and a bad target, a missing confirmation or a broken
 * inventory stop the run before any host is touched.
 */
export default function setup(): void {
  registerPresentSecrets()
  const target = resolveTarget()
  say(targetBanner(target))
  const inventory = loadInventory()
  say(`inventory: ${inventory.file} (${inventory.hosts.length} hosts)`)
  const runId = startRun(target)
  say(`run: reports/${runId}`)
}
