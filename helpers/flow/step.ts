import { say } from '../output/say.ts'
import { withContext } from '../transcript/run-context.ts'

/** A step that did not run because something it depends on did not succeed. */
export class NotRunError extends Error {
  override name = 'NotRunError'
}

/**
 * One action of a phase, run at most once, whose outcome its checks read.
 * It runs only when every step it depends on succeeded and its own
 * prerequisite (`requires`) holds; otherwise it is not run, and its checks
 * fail at once with that reason instead of acting on a fleet that is not in
 * the state the step assumes (no reboot after a failed deploy).
 */
export class Step<T> {
  private value: T | undefined
  private failure: Error | undefined
  private done = false

  constructor(
    readonly name: string,
    private readonly opts: {
      phase: string
      action: () => Promise<T>
      dependsOn?: Step<unknown>[]
      /** A prerequisite checked first: its refusal is the step's failure. */
      requires?: () => Promise<void>
    },
  ) {}

  async run(): Promise<void> {
    if (this.done) return
    this.done = true
    const blocked = (this.opts.dependsOn ?? []).find((d) => !d.ok)
    if (blocked) {
      this.failure = new NotRunError(
        `not done, nothing was changed: it depends on "${blocked.name}", which ${blocked.failure ? `failed: ${blocked.failure.message}` : 'has not run'}`,
      )
      say(`${this.opts.phase}: ${this.name}: ${this.failure.message}`)
      return
    }
    try {
      await this.opts.requires?.()
      this.value = await withContext({ phase: this.opts.phase, check: this.name }, this.opts.action)
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err))
    }
  }

  /** Whether the step ran and succeeded. */
  get ok(): boolean {
    return this.done && !this.failure
  }

  get error(): Error | undefined {
    return this.failure
  }

  /**
   * For a check that can judge on its own once the step acted, even if the
   * step then failed (an HTTPS check after a reboot whose SSH wait ran out):
   * throws only when `acted` says the failure came before the step acted.
   */
  requireActed(acted: (err: Error) => boolean): void {
    if (this.ok || (this.failure && acted(this.failure))) return
    this.get()
  }

  /** The step's value, for a check; its failure (or its not having run) as the check's error. */
  get(): T {
    if (!this.done) throw new NotRunError(`${this.name}: has not run`)
    if (this.failure)
      throw new Error(`${this.name} failed: ${this.failure.message}`, { cause: this.failure })
    return this.value as T
  }
}
