import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseDocument } from 'yaml'
import { DEFAULT_INVENTORY, parseInventory } from '../../helpers/inventory/load-inventory.ts'

/** The two pins a scenario can set: the agents' (nixcfg's flake.lock) and the dashboard's (csb1's checkout). */
export interface Pins {
  agents?: string
  dashboard?: string
}

/**
 * The default inventory with the scenario's pins replaced, written to a file
 * of its own (FLEET_INVENTORY for the scenario's run); validated as any
 * inventory is, so a short or malformed pin is refused before a fleet starts.
 */
export function inventoryWithPins(pins: Pins, from = DEFAULT_INVENTORY): string {
  const doc = parseDocument(readFileSync(from, 'utf8'))
  if (pins.agents) doc.setIn(['nixcfg', 'nixfleet_v2_rev'], pins.agents)
  if (pins.dashboard) doc.setIn(['dashboard', 'revision'], pins.dashboard)
  const text = doc.toString()
  parseInventory(text, `inventory pinned to ${describePins(pins)}`)
  const file = join(mkdtempSync(join(tmpdir(), 'inventory-pin-')), 'fleet.yaml')
  writeFileSync(file, text)
  return file
}

export function describePins(pins: Pins): string {
  return [
    pins.dashboard ? `dashboard at nixfleet ${pins.dashboard}` : '',
    pins.agents ? `agents at nixfleet ${pins.agents}` : '',
  ]
    .filter(Boolean)
    .join(', ')
}
