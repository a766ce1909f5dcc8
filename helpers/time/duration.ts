/** Durations are written as '90s', '2m', '500ms', '1h' and parsed here, in one place. */
export const SECOND = 1000
export const MINUTE = 60 * SECOND

const UNIT_MS: Record<string, number> = { ms: 1, s: SECOND, m: MINUTE, h: 60 * MINUTE }

export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h'}`

export function toMs(d: Duration): number {
  if (typeof d === 'number') {
    if (!Number.isFinite(d) || d < 0) throw new Error(`invalid duration: ${d}`)
    return d
  }
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d)
  if (!m) throw new Error(`invalid duration: "${String(d)}" (expected e.g. 500ms, 90s, 2m)`)
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number)
}

/** Human form for messages: 950 ms, 12.3 s, 2 min 5 s. */
export function formatMs(ms: number): string {
  if (ms < SECOND) return `${Math.round(ms)} ms`
  if (ms < MINUTE) return `${Math.round(ms / 100) / 10} s`
  const min = Math.floor(ms / MINUTE)
  const s = Math.round((ms % MINUTE) / SECOND)
  return s ? `${min} min ${s} s` : `${min} min`
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
