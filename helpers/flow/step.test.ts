import { describe, expect, it } from 'vitest'
import { Step } from './step.ts'

describe('steps run only after what they depend on succeeded', () => {
  it('a step after a failed step does not act and says why', async () => {
    const acted: string[] = []
    const deploy = new Step('2.3 deploy on csb1', {
      phase: 'phase 2',
      action: () => Promise.reject(new Error('container unhealthy')),
    })
    const reboot = new Step('2.4 reboot csb1', {
      phase: 'phase 2',
      dependsOn: [deploy],
      action: () => {
        acted.push('reboot')
        return Promise.resolve('rebooted')
      },
    })
    await deploy.run()
    await reboot.run()
    expect(acted).toEqual([])
    expect(() => reboot.get()).toThrow(
      /2.4 reboot csb1 failed: not done, nothing was changed: it depends on "2.3 deploy on csb1", which failed: container unhealthy/,
    )
  })

  it('a refused prerequisite is the step failure and the action never runs', async () => {
    let acted = false
    const s = new Step('2.3 deploy on csb1', {
      phase: 'phase 2',
      requires: () => Promise.reject(new Error('phase 2 refused, nothing was changed')),
      action: () => {
        acted = true
        return Promise.resolve(1)
      },
    })
    await s.run()
    expect(acted).toBe(false)
    expect(s.ok).toBe(false)
    expect(() => s.get()).toThrow(/phase 2 refused/)
  })

  it('runs once and gives its value when everything before it succeeded', async () => {
    let runs = 0
    const a = new Step('a', { phase: 'p', action: () => Promise.resolve(1) })
    const b = new Step('b', {
      phase: 'p',
      dependsOn: [a],
      action: () => Promise.resolve(++runs),
    })
    await a.run()
    await b.run()
    await b.run()
    expect(b.get()).toBe(1)
    expect(runs).toBe(1)
    expect(() => new Step('c', { phase: 'p', action: () => Promise.resolve(0) }).get()).toThrow(
      /c: has not run/,
    )
  })

  it('a check that judges on its own goes on once the step acted, even if it then failed', async () => {
    class WaitedTooLong extends Error {}
    const acted = (e: Error): boolean => e instanceof WaitedTooLong
    const issued = new Step('2.4 reboot csb1', {
      phase: 'p',
      action: () => Promise.reject(new WaitedTooLong('no SSH after the reboot')),
    })
    await issued.run()
    expect(() => issued.requireActed(acted)).not.toThrow()
    const refused = new Step('2.4 reboot csb1', {
      phase: 'p',
      action: () => Promise.reject(new Error('sudo needs a password')),
    })
    await refused.run()
    expect(() => refused.requireActed(acted)).toThrow(
      /2.4 reboot csb1 failed: sudo needs a password/,
    )
  })
})
