import { describe, expect, it } from 'vitest'
import { budget } from './budget.ts'

describe('a check budget', () => {
  it('hands out what is left and fails with the check’s own words once used up', async () => {
    const left = budget('Can send commands to both hosts', 50)
    expect(left()).toBeGreaterThan(0)
    expect(left()).toBeLessThanOrEqual(50)
    await new Promise((r) => setTimeout(r, 60))
    expect(() => left()).toThrow(
      'Can send commands to both hosts: its 50 ms were used up before this step',
    )
  })
})
