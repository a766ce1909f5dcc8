import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { behaviourAt, FIXES, hubDeadlocks, readRevisions } from './revisions.ts'

const history = readRevisions(fileURLToPath(new URL('../../nixfleet-revs.json', import.meta.url)))

describe('NixFleet behaviour by real revision', () => {
  it('every fix is a modelled revision, and the file lists 8eef91b (v1.0.0) before 40a6392 (v2 deployed)', () => {
    const ids = history.map(([r]) => r)
    for (const fix of Object.values(FIXES)) expect(ids).toContain(fix)
    expect(ids.indexOf('8eef91b068e062d6bbc83d2acc18df89081cae23')).toBeLessThan(
      ids.indexOf('40a6392c56e5d51176692385132e560339e9859f'),
    )
  })

  it('3999ab9 (the agents’ pin on the day) has none of the later fixes: pull only fetches', () => {
    const b = behaviourAt('3999ab9856de35c21b00de9891ea44912c00e502', history)
    expect(b).toMatchObject({
      version: 'v2',
      storesHosts: true,
      macWaitsForHealth: true,
      healthEndpoint: false,
      pullMovesCheckout: false,
      hostnameFromLocalHostName: false,
    })
  })

  it('b860b3a (the evening) deadlocks; e579804 has every fix', () => {
    expect(hubDeadlocks(behaviourAt('b860b3afca73335c847c1d9ed4fd793d4e7b966c', history))).toBe(
      true,
    )
    const fixed = behaviourAt('e5798044ddd69d2782a9a55d8c59910cc736710a', history)
    expect(hubDeadlocks(fixed)).toBe(false)
    for (const k of Object.keys(FIXES)) expect(fixed[k as keyof typeof FIXES], k).toBe(true)
  })

  it('refuses a shortened or an invented revision', () => {
    expect(() => behaviourAt('3999ab9', history)).toThrow(
      'nixfleet revision "3999ab9" is not a full 40-character commit id',
    )
    expect(() => behaviourAt('3999ab9f1c2d0000000000000000000000000000', history)).toThrow(
      'is not one this simulation models',
    )
  })
})
