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
