import { describe, expect, it } from 'vitest'
import { useSimulatedEvaluator } from '../testing/evaluator-target.ts'
import { poll } from '../wait/poll.ts'
import { personStep } from './person-step.ts'

describe("a person's step: asked for, then waited for by what can be seen", () => {
  // A rehearsal target whose simulated person does nothing (/bin/false), with a 1 s deadline.
  useSimulatedEvaluator()

  it('done when the result is seen within the deadline; says who was asked', async () => {
    const seenAt = Date.now() + 300
    const done = await personStep('rehearsal', {
      host: 'mba-mbp-work',
      id: 'restart-and-log-in',
      instruction: 'restart mba-mbp-work, then log in',
      expects: 'a new boot',
      observe: (ms) =>
        poll(
          'new boot',
          () => {
            if (Date.now() < seenAt) throw new Error('still the same boot')
            return Promise.resolve('boot-2')
          },
          { timeout: ms, interval: 50 },
        ),
    })
    expect(done).toMatchObject({ value: 'boot-2', by: 'simulated person' })
  })

  it('not seen by the deadline: fails naming the host, the step, what was expected and what was seen', async () => {
    const started = Date.now()
    await expect(
      personStep('rehearsal', {
        host: 'mba-mbp-work',
        id: 'restart-and-log-in',
        instruction: 'restart mba-mbp-work, then log in',
        expects: 'mba-mbp-work back over SSH in a new boot',
        observe: (ms) =>
          poll('new boot', () => Promise.reject(new Error('connection refused')), {
            timeout: ms,
            interval: 100,
          }),
      }),
    ).rejects.toThrow(
      /^mba-mbp-work: the person step "restart mba-mbp-work, then log in" \(simulated person\) was not seen done by \d\d:\d\d:\d\d UTC \(1 s\): expected mba-mbp-work back over SSH in a new boot; last seen: .*connection refused/,
    )
    expect(Date.now() - started).toBeLessThan(5000)
  })
})
