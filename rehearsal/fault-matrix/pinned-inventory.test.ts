import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseInventory } from '../../helpers/inventory/load-inventory.ts'
import { inventoryWithAgentPin } from './pinned-inventory.ts'

describe('a scenario’s agent pin', () => {
  it('replaces only nixcfg.nixfleet_v2_rev', () => {
    const rev = '3999ab9856de35c21b00de9891ea44912c00e502'
    const inv = parseInventory(readFileSync(inventoryWithAgentPin(rev), 'utf8'))
    expect(inv.nixcfg.nixfleet_v2_rev).toBe(rev)
    expect(inv.hosts.length).toBeGreaterThan(0)
  })

  it('refuses a shortened revision, naming the field', () => {
    expect(() => inventoryWithAgentPin('3999ab9')).toThrow(
      /nixfleet_v2_rev.*must be a full 40-character commit id/,
    )
  })
})
