import { it } from 'vitest'

/**
 * `it` for checks of one host: when HOSTS leaves that host out (`skip` is
 * the reason), the check is skipped with the reason instead of judging a
 * host the run did not touch.
 */
export function scopedIt(skip: string | undefined): (title: string, fn: () => unknown) => void {
  return (title, fn) =>
    it(title, async (ctx) => {
      if (skip) return ctx.skip(skip)
      await fn()
    })
}
