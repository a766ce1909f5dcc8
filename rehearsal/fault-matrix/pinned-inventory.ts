import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseDocument } from 'yaml'
import { DEFAULT_INVENTORY, parseInventory } from '../../helpers/inventory/load-inventory.ts'

/**
 * The default inventory with the agents' nixfleet pin replaced, written to a
 * file of its own (FLEET_INVENTORY for the scenario's run); validated as any
 * inventory is, so a short or malformed pin is refused before a fleet starts.
 */
export function inventoryWithAgentPin(rev: string, from = DEFAULT_INVENTORY): string {
  const doc = parseDocument(readFileSync(from, 'utf8'))
  doc.setIn(['nixcfg', 'nixfleet_v2_rev'], rev)
  const text = doc.toString()
  parseInventory(text, `inventory with the agents pinned to ${rev}`)
  const file = join(mkdtempSync(join(tmpdir(), 'inventory-pin-')), 'fleet.yaml')
  writeFileSync(file, text)
  return file
}
