import { describe, expect, it } from 'vitest'
import { Persisting } from './persisting.ts'

describe('Persisting: how long a condition has held on every attempt', () => {
  it('counts from the first attempt that finds it', () => {
    const p = new Persisting()
    expect(p.observe(true, 1_000)).toBe(0)
    expect(p.observe(true, 11_000)).toBe(10_000)
    expect(p.observe(true, 31_000)).toBe(30_000)
  })

  it('one attempt that finds it false starts it over', () => {
    const p = new Persisting()
    p.observe(true, 0)
    expect(p.observe(true, 25_000)).toBe(25_000)
    expect(p.observe(false, 26_000)).toBe(0)
    expect(p.observe(true, 27_000)).toBe(0)
    expect(p.observe(true, 40_000)).toBe(13_000)
  })
})
