import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { parseInventory } from '../../../helpers/inventory/load-inventory.ts'
import { pinnedModuleVersion } from './evaluate.ts'

const REVS = fileURLToPath(new URL('../../nixfleet-revs.json', import.meta.url))
const INVENTORY = fileURLToPath(new URL('../../../fixtures/fleet.yaml', import.meta.url))

function flakeWith(rev: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'flake-'))
  writeFileSync(
    join(dir, 'flake.lock'),
    JSON.stringify({ nodes: { nixfleet: { locked: { rev } } } }),
  )
  return dir
}

describe('the simulated NixFleet knows real revisions only', () => {
  it('every modelled revision is a full commit id; v1 up to 8eef91b, v2 from 40a6392', () => {
    const revs = JSON.parse(readFileSync(REVS, 'utf8')) as Record<string, string>
    for (const rev of Object.keys(revs)) expect(rev).toMatch(/^[0-9a-f]{40}$/)
    expect(pinnedModuleVersion(flakeWith('8eef91b068e062d6bbc83d2acc18df89081cae23'), REVS)).toBe(
      'v1',
    )
    expect(pinnedModuleVersion(flakeWith('40a6392c56e5d51176692385132e560339e9859f'), REVS)).toBe(
      'v2',
    )
  })

  it('refuses a shortened or invented revision as a fetch of a missing commit would', () => {
    for (const rev of ['3999ab9', '3999ab9f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f60'])
      expect(() => pinnedModuleVersion(flakeWith(rev), REVS)).toThrow(
        `error: cannot fetch nixfleet at rev ${rev}: not a revision of markus-barta/nixfleet this simulation models`,
      )
  })

  it('the default inventory pins a modelled revision; a 7-character pin is refused by the schema', () => {
    const text = readFileSync(INVENTORY, 'utf8')
    const inv = parseInventory(text)
    expect(pinnedModuleVersion(flakeWith(inv.nixcfg.nixfleet_v2_rev), REVS)).toBe('v2')
    const data = parse(text) as { nixcfg: { nixfleet_v2_rev: string } }
    data.nixcfg.nixfleet_v2_rev = 'e579804'
    expect(() => parseInventory(JSON.stringify(data))).toThrow(
      /nixfleet_v2_rev.*must be a full 40-character commit id/s,
    )
  })
})
