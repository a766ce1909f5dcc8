/**
 * Starts a wait now and hands its outcome over later. Checks that each wait
 * on their own host (an agent proven to stay up, its log lines) run at the
 * same time, started from the phase's beforeAll, and each test still reports
 * only its own host's outcome when it awaits it. A failure is held until that
 * test awaits it: never an unhandled rejection that would end the run.
 */
export function startNow<T>(fn: () => Promise<T>): Promise<T> {
  const started = fn()
  started.catch(() => undefined)
  return started
}

/**
 * One wait per host, started for several hosts at once (`start`, from a
 * beforeAll) and handed to each host's test (`of`). A host whose wait was not
 * started early (its action failed, so its test fails before awaiting) gets
 * it started on demand.
 */
export class HostWaits<T> {
  private readonly started = new Map<string, Promise<T>>()

  constructor(private readonly wait: (host: string) => Promise<T>) {}

  start(hosts: Iterable<string>): void {
    for (const h of hosts)
      this.started.set(
        h,
        startNow(() => this.wait(h)),
      )
  }

  of(host: string): Promise<T> {
    return this.started.get(host) ?? this.wait(host)
  }
}
