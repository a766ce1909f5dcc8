import type { Duration } from '../time/duration.ts'
import { journalExchange } from '../transcript/transcript.ts'
import { poll } from '../wait/poll.ts'
import { collectFrames, DashboardError, type DashboardClient, type HostRow } from './client.ts'

export interface CommandRun {
  host: string
  command: string
  /** HTTP answer to the POST (200 queued, 409 offline…). */
  httpStatus: number
  lines: string[]
  exitCode: number | null
  status: string
  message: string
}

type Frame = { type: string; payload: Record<string, unknown> }

/**
 * A command sent the way the dashboard's UI sends it: the browser socket
 * is open first (so no output is missed), then POST …/command with the
 * CSRF token; the streamed `command_output` lines are collected until the
 * `command_complete` for that host arrives, or the deadline passes.
 */
export async function sendCommand(
  client: DashboardClient,
  host: string,
  command: string,
  timeoutMs: number,
): Promise<CommandRun> {
  const ws = await client.browserSocket()
  try {
    const frames = collectFrames(
      ws,
      (fs: Frame[]) => fs.some((f) => f.type === 'command_complete' && f.payload.host_id === host),
      timeoutMs,
    )
    // Keep the collector's rejection handled while the POST is in flight.
    frames.catch(() => undefined)
    const r = await client.command(host, command)
    if (r.status !== 200)
      throw new DashboardError(
        `POST /api/hosts/${host}/command ${command}: HTTP ${r.status} ${r.body.trim()}`,
      )
    // The frames the check judges by, as evidence: their types and the completion.
    const mine = await journalExchange(
      'ws',
      new URL(client.wsUrl()),
      `frames of ${command} on ${host} from`,
      async () => {
        const got = await frames.catch((err: unknown) => {
          throw new DashboardError(
            `${host}: ${command} sent, but no completion: ${(err as Error).message}`,
          )
        })
        const own = got.filter((f) => f.payload.host_id === host)
        const complete = own.find((f) => f.type === 'command_complete')
        return {
          value: own,
          status: null,
          summary: `${own.map((f) => f.type).join(', ')}\ncommand_complete: ${JSON.stringify(complete?.payload ?? {})}`,
        }
      },
    )
    const done = mine.find((f) => f.type === 'command_complete')?.payload ?? {}
    return {
      host,
      command,
      httpStatus: r.status,
      lines: mine.filter((f) => f.type === 'command_output').map((f) => String(f.payload.line)),
      exitCode: typeof done.exit_code === 'number' ? done.exit_code : null,
      status: typeof done.status === 'string' ? done.status : '',
      message: typeof done.message === 'string' ? done.message : '',
    }
  } finally {
    ws.close()
  }
}

/** Polls /api/hosts until `host` is online, or says how it is listed. */
export async function hostListing(
  client: DashboardClient,
  host: string,
): Promise<{ online: boolean; detail: string; generation: string }> {
  const { hosts, serverNow } = await client.hostList()
  return judgeListing(hosts, host, serverNow)
}

/**
 * Heartbeats the agents send (30 s, the plan's interval); a host counts as
 * online only with one in the last three of them, so a status row the
 * dashboard no longer updates (a hub that stopped processing messages) is
 * not taken for a live connection.
 */
export const HEARTBEAT_MS = 30_000
export const LIVE_WITHIN_MS = 3 * HEARTBEAT_MS

/** A dashboard timestamp: RFC 3339, or SQLite's `YYYY-MM-DD HH:MM:SS` (UTC). */
export function parseDashboardTime(t: string): number {
  const iso = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(t) ? `${t.replace(' ', 'T')}Z` : t
  return Date.parse(iso)
}

/** Whether `host` is listed online with a heartbeat seen recently by the dashboard's own clock. */
export function judgeListing(
  hosts: HostRow[],
  host: string,
  serverNow: number,
  liveWithinMs = LIVE_WITHIN_MS,
): { online: boolean; detail: string; generation: string } {
  const h = hosts.find((x) => x.hostname === host)
  if (!h)
    return {
      online: false,
      detail: `${host} is not listed (hosts: ${hosts.map((x) => x.hostname).join(', ') || 'none'})`,
      generation: '',
    }
  const seen = h.last_seen ? parseDashboardTime(h.last_seen) : NaN
  const age = serverNow - seen
  const listedOnline = h.status === 'online' || h.status === 'running'
  const live = !Number.isNaN(seen) && age <= liveWithinMs
  const stale =
    listedOnline && !live
      ? `; no heartbeat for ${Number.isNaN(seen) ? 'ever' : `${Math.round(age / 1000)} s`} (more than ${liveWithinMs / 1000} s by the dashboard's clock): the row is not a live connection`
      : ''
  return {
    online: listedOnline && live,
    detail: `${host} listed as ${h.status}, last seen ${h.last_seen ?? 'never'}, generation ${h.generation || '-'}${stale}`,
    generation: h.generation,
  }
}

/** Waits until the dashboard lists `host` online; the timeout error says how it was last listed. */
export function waitHostOnline(
  client: DashboardClient,
  host: string,
  timeout: Duration = '2m',
): Promise<string> {
  return poll(
    `the dashboard lists ${host} online`,
    async () => {
      const l = await hostListing(client, host)
      if (!l.online) throw new Error(l.detail)
      return l.detail
    },
    { timeout, interval: '2s' },
  )
}
