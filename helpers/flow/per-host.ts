import { formatMs } from '../time/duration.ts'

/** What happened on one host: its value, or the reason it failed (never thrown past here). */
export type HostOutcome<T> =
  | { host: string; ok: true; value: T; ms: number }
  | { host: string; ok: false; error: Error; ms: number }

export const DEFAULT_PARALLEL = 8

/** MIGRATION_PARALLEL: how many hosts are worked on at once (the plan: "can be done in parallel"). */
export function parallelLimit(env = process.env): number {
  const raw = env.MIGRATION_PARALLEL
  if (raw === undefined || raw === '') return DEFAULT_PARALLEL
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > 32)
    throw new Error(`MIGRATION_PARALLEL must be a whole number from 1 to 32, got "${raw}"`)
  return n
}

/**
 * Runs `work` for every host, at most `limit` at a time. A host that fails
 * records its error and the others carry on: one broken machine must not
 * leave the rest of the fleet half done.
 */
export async function perHost<T>(
  hosts: readonly string[],
  limit: number,
  work: (host: string) => Promise<T>,
): Promise<Map<string, HostOutcome<T>>> {
  const results = new Map<string, HostOutcome<T>>()
  const queue = [...hosts]
  const worker = async (): Promise<void> => {
    for (let host = queue.shift(); host !== undefined; host = queue.shift()) {
      const started = Date.now()
      try {
        results.set(host, { host, ok: true, value: await work(host), ms: Date.now() - started })
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err))
        results.set(host, { host, ok: false, error, ms: Date.now() - started })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, hosts.length) }, worker))
  return results
}

/** The outcome's value, or an error that names the host and says why, for a test to fail with. */
export function valueOf<T>(outcomes: Map<string, HostOutcome<T>>, host: string): T {
  const o = outcomes.get(host)
  if (!o)
    throw new Error(`${host}: no work was recorded for this host (the phase stopped before it)`)
  if (!o.ok) {
    const m = o.error.message
    throw new Error(m.startsWith(`${host}: `) ? m : `${host}: ${m}`, { cause: o.error })
  }
  return o.value
}

export function describeOutcome<T>(o: HostOutcome<T>, text: (v: T) => string): string {
  return `${o.host}: ${o.ok ? text(o.value) : `FAILED: ${o.error.message.split('\n')[0]}`} (${formatMs(o.ms)})`
}
