import { describe, expect, it } from 'vitest'
import { HostWaits, startNow } from './start-now.ts'

describe('startNow', () => {
  it('runs the waits at the same time and hands each outcome to whoever awaits it', async () => {
    const began = Date.now()
    const slow = (ms: number, v: string): Promise<string> =>
      new Promise((resolve) => setTimeout(() => resolve(v), ms))
    const a = startNow(() => slow(200, 'gpc0'))
    const b = startNow(() => slow(200, 'mba-mbp-work'))
    expect(await a).toBe('gpc0')
    expect(await b).toBe('mba-mbp-work')
    expect(Date.now() - began).toBeLessThan(390)
  })

  it('holds a failure until it is awaited, with its own message', async () => {
    const failed = startNow(() => Promise.reject(new Error('gpc0: agent did not stay up')))
    // Nothing unhandled meanwhile: Vitest fails a run on an unhandled rejection.
    await new Promise((r) => setTimeout(r, 50))
    await expect(failed).rejects.toThrow('gpc0: agent did not stay up')
  })
})

describe('HostWaits', () => {
  it('hands each host the wait started for it, and starts one on demand for a host left out', async () => {
    const calls: string[] = []
    const waits = new HostWaits((h) => {
      calls.push(h)
      return Promise.resolve(`${h} online`)
    })
    waits.start(['gpc0'])
    expect(await waits.of('gpc0')).toBe('gpc0 online')
    expect(await waits.of('gpc0')).toBe('gpc0 online')
    expect(await waits.of('mba-mbp-work')).toBe('mba-mbp-work online')
    expect(calls).toEqual(['gpc0', 'mba-mbp-work'])
  })
})
