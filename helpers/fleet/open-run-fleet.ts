import { resolveTarget } from '../config/target.ts'
import { loadInventory } from '../inventory/load-inventory.ts'
import { targetAccess } from '../config/target-access.ts'
import { runTranscript } from '../transcript/run-folder.ts'
import { openFleet, type Fleet } from './fleet.ts'

/**
 * The fleet a runbook spec acts on, reached as its target describes: the
 * operator's ~/.ssh in production, the ssh_config and known_hosts a
 * rehearsal generated otherwise.
 */
export function openRunFleet(): Fleet {
  const target = resolveTarget()
  return openFleet({
    target,
    inventory: loadInventory(),
    ssh: targetAccess(target).ssh,
    transcript: runTranscript(),
  })
}
