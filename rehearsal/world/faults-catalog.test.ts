import { describe, expect, it } from 'vitest'
import { FAULTS, parseFaults, revertFault, revertOf, type FaultName } from './faults.ts'
import { loadWorld } from './world.ts'

describe('the fault catalog is complete', () => {
  it('every fault has a description, an apply and a revert (or the reason only a fresh fleet undoes it)', () => {
    const names = Object.keys(FAULTS) as FaultName[]
    expect(names.length).toBe(16)
    for (const n of names) {
      expect(FAULTS[n].length, n).toBeGreaterThan(20)
      const r = revertOf(n)
      expect(typeof r === 'function' || r.freshFleetOnly.length > 0, n).toBe(true)
    }
  })

  it('a fault only a fresh fleet undoes says so when asked to revert, naming why', () => {
    expect(() => revertFault(loadWorld(), { name: 'totp-mismatch', host: 'csb1' })).toThrow(
      /fault totp-mismatch cannot be reverted on a running fleet \(it changes files and history the rehearsal made once/,
    )
  })

  it('a fault named for the wrong kind of host, or unknown, is refused before anything starts', () => {
    const world = loadWorld()
    expect(() => parseFaults('totp-mismatch:gpc0', world)).toThrow(
      'REHEARSAL_FAULTS: totp-mismatch acts on the dashboard host; use totp-mismatch:csb1',
    )
    expect(() => parseFaults('disk-full:gpc0', world)).toThrow(/unknown fault "disk-full"/)
  })
})
