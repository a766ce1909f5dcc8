import { vi } from 'vitest'

/** Runs a wait under Vitest's fake time, advancing the clock a second at a time until it settles. */
export async function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: Error; ms: number }> {
  const t0 = Date.now()
  let done: { value?: T; error?: Error } | undefined
  p.then(
    (value) => (done = { value }),
    (error: Error) => (done = { error }),
  )
  while (!done) await vi.advanceTimersByTimeAsync(1000)
  return { ...done, ms: Date.now() - t0 }
}
