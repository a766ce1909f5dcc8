import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseInventory } from '../../helpers/inventory/load-inventory.ts'
import { inventoryWithPins } from './pinned-inventory.ts'

describe('a scenario’s pins', () => {
  it('replaces only nixcfg.nixfleet_v2_rev and dashboard.revision', () => {
    const agents = '3999ab9856de35c21b00de9891ea44912c00e502'
    const dashboard = 'b860b3afca73335c847c1d9ed4fd793d4e7b966c'
    const inv = parseInventory(readFileSync(inventoryWithPins({ agents, dashboard }), 'utf8'))
    expect(inv.nixcfg.nixfleet_v2_rev).toBe(agents)
    expect(inv.dashboard.revision).toBe(dashboard)
    expect(inv.hosts.length).toBeGreaterThan(0)
  })

  it('refuses a shortened revision, naming the field', () => {
    expect(() => inventoryWithPins({ agents: '3999ab9' })).toThrow(
      /nixfleet_v2_rev.*must be a full 40-character commit id/,
    )
    expect(() => inventoryWithPins({ dashboard: 'b860b3a' })).toThrow(
      /revision.*must be a full 40-character commit id/,
    )
  })
})
