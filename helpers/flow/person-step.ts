import { spawn } from 'node:child_process'
import type { Target } from '../config/target.ts'
import { targetAccess } from '../config/target-access.ts'
import { HostError } from '../hosts/errors.ts'
import { say } from '../output/say.ts'
import { formatMs } from '../time/duration.ts'
import { journalPerson } from '../transcript/transcript.ts'

export interface PersonStep<T> {
  host: string
  /** What the step is, for the simulated person (`restart-and-log-in`). */
  id: string
  /** What the person is asked to do, in words. */
  instruction: string
  /** What the run waits for, in words (shown with the deadline). */
  expects: string
  /** Waits for the observable result, within the time it is given; rejects when it is not seen. */
  observe: (timeoutMs: number) => Promise<T>
}

export interface PersonStepDone<T> {
  value: T
  /** Who was asked: the operator, or the rehearsal's simulated person. */
  by: 'operator' | 'simulated person'
  tookMs: number
}

/**
 * A step a person must do (restart a Mac and log in at its FileVault screen):
 * printed as an instruction with what the run waits for and until when, then
 * the run waits for the observable result instead of doing it itself. In a
 * rehearsal the target's simulated person is started to do it; in production
 * the operator does. Journalled (who was asked, what was seen) for the
 * sign-off; not seen by the deadline fails naming the step and what was
 * expected.
 */
export async function personStep<T>(
  target: Target,
  step: PersonStep<T>,
): Promise<PersonStepDone<T>> {
  const person = targetAccess(target).person
  const by = person.by === 'operator' ? 'operator' : 'simulated person'
  const started = Date.now()
  const until = new Date(started + person.deadlineMs).toISOString().slice(11, 19)
  say(
    `PERSON STEP (${by}) on ${step.host}: ${step.instruction}. ` +
      `The run waits for ${step.expects}, until ${until} UTC (${formatMs(person.deadlineMs)}).`,
  )
  if (person.by === 'simulated') {
    const [command, ...args] = person.command
    spawn(command!, [...args, step.host, step.id], { detached: true, stdio: 'ignore' }).unref()
  }
  return journalPerson(step.host, `${by}: ${step.instruction}`, async () => {
    try {
      const value = await step.observe(person.deadlineMs)
      const tookMs = Date.now() - started
      say(`${step.host}: person step done (${by}), ${step.expects} seen after ${formatMs(tookMs)}`)
      return { value: { value, by, tookMs }, seen: `${step.expects}, after ${formatMs(tookMs)}` }
    } catch (err) {
      throw new HostError(
        step.host,
        `the person step "${step.instruction}" (${by}) was not seen done by ${until} UTC ` +
          `(${formatMs(person.deadlineMs)}): expected ${step.expects}; last seen: ${(err as Error).message}`,
        { cause: err },
      )
    }
  })
}
