import type { IncomingMessage } from 'node:http'
import { timingSafeEqual } from 'node:crypto'

/** Small HTTP helpers shared by the simulated v1 and v2 dashboards. */
export function cookies(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    (req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim().split('='))
      .filter((p) => p.length >= 2)
      .map(([k, ...v]) => [k as string, decodeURIComponent(v.join('='))]),
  )
}

/** The client address as a proxy-aware server sees it (True-Client-IP, X-Real-IP, X-Forwarded-For). */
export function clientIp(req: IncomingMessage): string {
  const h = req.headers
  const fwd = (h['true-client-ip'] ??
    h['x-real-ip'] ??
    String(h['x-forwarded-for'] ?? '').split(',')[0]) as string | undefined
  return fwd?.trim() || req.socket.remoteAddress || 'unknown'
}

export function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = ''
    req.on('data', (c: Buffer) => {
      s += c.toString()
      if (s.length > limit) req.destroy(new Error('body too large'))
    })
    req.on('end', () => resolve(s))
    req.on('error', reject)
  })
}

export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Sliding-window attempt counter per key. */
export class RateLimiter {
  private attempts = new Map<string, number[]>()
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}
  /** Counts an attempt; true when it is over the limit. */
  hit(key: string): boolean {
    const now = Date.now()
    const recent = (this.attempts.get(key) ?? []).filter((t) => now - t < this.windowMs)
    recent.push(now)
    this.attempts.set(key, recent)
    return recent.length > this.limit
  }
  reset(key: string): void {
    this.attempts.delete(key)
  }
}
