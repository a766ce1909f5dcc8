import { PollTimeoutError } from './poll.ts'
import { formatMs } from '../time/duration.ts'

/**
 * One deadline shared by every wait of a check, set well inside the test's
 * own timeout: a check that waits for several things in turn fails with its
 * own message (what it waited for) instead of Vitest's bare "Test timed out".
 */
export function budget(what: string, totalMs: number): () => number {
  const deadline = Date.now() + totalMs
  return () => {
    const left = deadline - Date.now()
    if (left <= 0)
      throw new PollTimeoutError(`${what}: its ${formatMs(totalMs)} were used up before this step`)
    return left
  }
}

/** The runbook project's test timeout (vitest.config.ts); a check's budget stays well inside it. */
export const CHECK_BUDGET_MS = 8 * 60_000
