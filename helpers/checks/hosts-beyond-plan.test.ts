import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadInventory } from '../inventory/load-inventory.ts'
import { agentHostsInNixcfg, hostsBeyondPlan } from './hosts-beyond-plan.ts'

const NIXCFG = fileURLToPath(new URL('../../fixtures/nixcfg', import.meta.url))
const inv = loadInventory()
const v1Listed = new Map<string, string | null>([
  ['hsb0', '2025-12-14T09:00:00Z'],
  ['mba-imac-work', '2025-12-13T18:02:11Z'],
])

describe('hosts running an agent that the plan does not list', () => {
  it('nixcfg’s ninth agent host is found', () => {
    expect(agentHostsInNixcfg(NIXCFG).map((h) => h.host)).toContain('mba-imac-work')
  })

  it('the default inventory leaves mba-imac-work out with its reason: nothing is reported missing', () => {
    const r = hostsBeyondPlan(inv, { nixcfg: agentHostsInNixcfg(NIXCFG), v1Listed })
    expect(r.problems).toEqual([])
    expect(r.leftOut).toEqual([
      expect.stringMatching(/^mba-imac-work: left out: the ninth agent host/),
    ])
  })

  it('without that entry, the host is reported with where it was found', () => {
    const r = hostsBeyondPlan(
      { ...inv, leftOut: {} },
      { nixcfg: agentHostsInNixcfg(NIXCFG), v1Listed },
    )
    expect(r.problems).toEqual([
      'mba-imac-work: hosts/mba-imac-work/home.nix enables the agent; the v1 dashboard lists it (last seen 2025-12-13T18:02:11Z), but the inventory does not list it: the plan would leave it running v1 (add it to hosts, or to left_out with the reason)',
    ])
  })
})
