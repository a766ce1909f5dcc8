import { progress } from '../output/say.ts'
import { formatMs, sleep, toMs, type Duration } from '../time/duration.ts'

/**
 * Thrown by a probe when waiting longer cannot help (a unit in `failed`, a
 * container that exited): poll stops at once instead of burning the deadline.
 */
export class TerminalStateError extends Error {
  override name = 'TerminalStateError'
}

/** Whether a wait ended early on a state its probe called final (not at its deadline). */
export function gaveUpEarly(err: unknown): boolean {
  return err instanceof Error && err.cause instanceof TerminalStateError
}

/** How often a wait reports that it is still waiting. */
const PROGRESS_EVERY_MS = 15_000

export class PollTimeoutError extends Error {
  override name = 'PollTimeoutError'
}

export interface PollOptions {
  timeout: Duration
  interval?: Duration
  /** Called before each attempt with the time left; used for live progress lines. */
  onAttempt?: (info: { attempt: number; remainingMs: number; lastError?: unknown }) => void
}

export interface ProbeContext {
  attempt: number
  /** Time left before the deadline; probes give their own I/O no more than this. */
  remainingMs: number
}

/**
 * The one wait primitive. The probe either returns the awaited value or throws
 * the reason it is not there yet. On timeout the error says what was awaited
 * and carries the last real error (as text and as `cause`).
 */
export async function poll<T>(
  what: string,
  probe: (ctx: ProbeContext) => Promise<T> | T,
  opts: PollOptions,
): Promise<T> {
  const timeoutMs = toMs(opts.timeout)
  const intervalMs = toMs(opts.interval ?? '1s')
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  /** An attempt the deadline cut off: it says nothing about the awaited state. */
  let cut: PollTimeoutError | undefined
  let nextProgress = Date.now() + PROGRESS_EVERY_MS
  for (let attempt = 1; ; attempt++) {
    const remainingMs = deadline - Date.now()
    if (remainingMs <= 0) break
    opts.onAttempt?.({ attempt, remainingMs, lastError })
    // A long wait says what it waits for and how long it may still take.
    if (Date.now() >= nextProgress) {
      nextProgress = Date.now() + PROGRESS_EVERY_MS
      progress(
        `waiting: ${what} (${formatMs(remainingMs)} left${lastError instanceof Error ? `; now: ${lastError.message.split('\n')[0]}` : ''})`,
      )
    }
    try {
      // Raced against the time left: a probe stuck in I/O cannot hold the wait past its deadline.
      return await withDeadline(
        `the attempt ${attempt}`,
        Promise.resolve().then(() => probe({ attempt, remainingMs })),
        remainingMs,
        CutOffError,
      )
    } catch (err) {
      if (err instanceof TerminalStateError) {
        throw new Error(`${what}: gave up early: ${err.message}`, { cause: err })
      }
      if (err instanceof CutOffError) cut = err
      else {
        lastError = err
        cut = undefined
      }
    }
    const pause = Math.min(intervalMs, deadline - Date.now())
    if (pause > 0) await sleep(pause)
  }
  // The last answer the awaited thing gave, not the deadline cutting a later attempt short.
  const answer =
    lastError instanceof Error
      ? lastError.message
      : lastError === undefined
        ? undefined
        : JSON.stringify(lastError)
  const last =
    answer === undefined
      ? (cut?.message ?? 'no attempt finished')
      : `${answer}${cut ? ` (then ${cut.message})` : ''}`
  throw new PollTimeoutError(
    `${what} not satisfied after ${formatMs(timeoutMs)}; last error: ${last}`,
    {
      cause: lastError ?? cut,
    },
  )
}

/** A poll's attempt stopped by the wait's deadline. */
class CutOffError extends PollTimeoutError {
  override name = 'CutOffError'
}

/** Rejects with a message naming `what` when `p` takes longer than `timeout`. */
export async function withDeadline<T>(
  what: string,
  p: Promise<T>,
  timeout: Duration,
  As: typeof PollTimeoutError = PollTimeoutError,
): Promise<T> {
  const ms = toMs(timeout)
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new As(`${what} did not finish within ${formatMs(ms)}`)), ms)
  })
  try {
    return await Promise.race([p, expired])
  } finally {
    clearTimeout(timer)
  }
}
