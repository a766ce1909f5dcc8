import { sleep, toMs, type Duration } from '../time/duration.ts'
import { poll, TerminalStateError } from '../wait/poll.ts'
import { DashboardError, type DashboardClient, type HttpResult } from './client.ts'
import { classifyWsAnswer } from './ws-answer.ts'

export interface V1HostRow {
  hostname: string
  last_seen: string | null
  poll_interval?: number | null
}

/** What the v1 dashboard saw of one host over a watch window. */
export interface PollWatch {
  host: string
  advanced: boolean
  first: string | null
  last: string | null
  windowMs: number
}

/**
 * A request repeated while the dashboard cannot answer yet: the connection
 * itself fails (reset, refused: a dashboard or its TLS front still starting,
 * a pooled socket closed under it), or the front answers Traefik's own 404
 * (no router: the container is not running, or its health check has not
 * passed yet, as after every boot of csb1). Until `timeout`; any other
 * answer, or the client's own deadline, ends it at once. A login that was
 * refused is never retried.
 */
async function untilConnected(
  what: string,
  fn: () => Promise<HttpResult>,
  timeout: Duration,
): Promise<HttpResult> {
  return poll(
    what,
    async () => {
      let r: HttpResult
      try {
        r = await fn()
      } catch (err) {
        if (err instanceof DashboardError) throw new TerminalStateError(err.message)
        throw err
      }
      const a = classifyWsAnswer(r)
      if (a.kind === 'no-router')
        throw new Error(
          `the front has no route to the dashboard yet (${a.detail}): its container is not running or not healthy`,
        )
      return r
    },
    { timeout, interval: '5s' },
  )
}

/**
 * The v1 dashboard as its operator reads it: logged in with the same password
 * and TOTP (v2 reuses both), the host list's `last_seen` per host. This is
 * how "the agent is stopped" is seen from the other side: a stopped agent
 * stops polling, so its `last_seen` stops moving.
 */
export class V1PollProbe {
  constructor(private readonly client: DashboardClient) {}

  async login(password: string, totpSecret: string | undefined): Promise<void> {
    const r = await untilConnected(
      `${this.client.baseUrl} answers the login form`,
      () => this.client.submitLoginNow(password, totpSecret),
      '2m',
    )
    if (r.status !== 302 || r.location !== '/' || !this.client.loggedIn)
      throw new DashboardError(
        `v1 dashboard login refused: HTTP ${r.status} → ${r.location ?? '(no redirect)'}`,
      )
  }

  async rows(): Promise<Map<string, V1HostRow>> {
    const r = await untilConnected(
      `${this.client.baseUrl}/api/hosts answers`,
      () => this.client.http('GET', '/api/hosts'),
      '30s',
    )
    if (r.status !== 200)
      throw new DashboardError(
        `v1 GET /api/hosts: HTTP ${r.status}${r.location ? ` → ${r.location}` : ''}`,
      )
    const body = JSON.parse(r.body) as V1HostRow[] | { hosts: V1HostRow[] }
    const list = Array.isArray(body) ? body : body.hosts
    return new Map(list.map((h) => [h.hostname, h]))
  }

  /**
   * Watches `hosts` for up to `timeout`: a host counts as advancing as soon as
   * its `last_seen` moves. Ends early once every host has moved. With
   * `untilAllMove: false` it watches the whole window (for "no longer moves").
   */
  async watch(
    hosts: readonly string[],
    opts: { timeout: Duration; untilAllMove: boolean; interval?: Duration },
  ): Promise<Map<string, PollWatch>> {
    const started = Date.now()
    const deadline = started + toMs(opts.timeout)
    const first = await this.rows()
    const out = new Map<string, PollWatch>(
      hosts.map((h) => {
        const seen = first.get(h)?.last_seen ?? null
        return [h, { host: h, advanced: false, first: seen, last: seen, windowMs: 0 }]
      }),
    )
    while (Date.now() < deadline) {
      await sleep(Math.min(toMs(opts.interval ?? '3s'), Math.max(0, deadline - Date.now())))
      const now = await this.rows()
      for (const w of out.values()) {
        w.last = now.get(w.host)?.last_seen ?? null
        w.windowMs = Date.now() - started
        if (w.last !== w.first) w.advanced = true
      }
      if (opts.untilAllMove && [...out.values()].every((w) => w.advanced)) break
    }
    return out
  }

  /**
   * Long enough to see a poll: two of the slowest host's intervals (v1 default
   * 30 s), so an agent still running polls at least once in it even when one
   * poll comes late; never under 20 s.
   */
  async quietWindowMs(hosts: readonly string[]): Promise<number> {
    const rows = await this.rows()
    const intervals = hosts.map((h) => rows.get(h)?.poll_interval ?? 30)
    return quietWindowFor(intervals)
  }
}

/**
 * The longest quiet window phase 1 waits for: 10 minutes. A window comes from
 * what the dashboard says (a host's poll_interval); a value of a day must not
 * make the phase wait two days. Longer intervals are watched for 10 minutes
 * and the window says so.
 */
export const MAX_QUIET_WINDOW_MS = 10 * 60_000

/** Two of the slowest poll intervals (seconds), at least 20 s, at most MAX_QUIET_WINDOW_MS. */
export function quietWindowFor(intervalsSeconds: number[]): number {
  const slowest = Math.max(0, ...intervalsSeconds.filter((n) => Number.isFinite(n) && n > 0))
  return Math.min(MAX_QUIET_WINDOW_MS, Math.max(20_000, 2 * 1000 * slowest))
}
