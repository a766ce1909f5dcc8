/**
 * A condition watched across a wait's attempts: how long it has held on every
 * attempt since it was first seen, or 0 once an attempt finds it false. A
 * wait uses it to give up on a state that a working counterpart could not be
 * in for that long (a register the dashboard never answers), instead of
 * burning the whole deadline; one attempt that finds it false starts it over.
 */
export class Persisting {
  private since: number | undefined

  /** Records one attempt's finding; returns for how long the condition has held (ms). */
  observe(holds: boolean, now = Date.now()): number {
    if (!holds) {
      this.since = undefined
      return 0
    }
    this.since ??= now
    return now - this.since
  }
}
