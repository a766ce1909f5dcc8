import { resolveTarget } from '../config/target.ts'
import { loadInventory } from '../inventory/load-inventory.ts'
import { rehearsalSshSettings } from '../rehearsal/fleet-lifecycle.ts'
import { runTranscript } from '../runner/run-folder.ts'
import { openFleet, type Fleet } from './fleet.ts'

/**
 * The fleet a runbook spec acts on. The only difference between targets is
 * how SSH resolves names: the operator's ~/.ssh in production, the
 * rehearsal's generated ssh_config and known_hosts otherwise.
 */
export function openRunFleet(): Fleet {
  const target = resolveTarget()
  return openFleet({
    target,
    inventory: loadInventory(),
    ssh: target === 'production' ? {} : rehearsalSshSettings(),
    transcript: runTranscript(),
  })
}
