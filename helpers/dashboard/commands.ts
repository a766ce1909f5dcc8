import type { Duration } from '../time/duration.ts'
import { journalExchange } from '../transcript/transcript.ts'
import { Persisting } from '../wait/persisting.ts'
import { poll, TerminalStateError } from '../wait/poll.ts'
import type WebSocket from 'ws'
import { formatMs } from '../time/duration.ts'
import { DashboardError, type DashboardClient, type HostRow } from './client.ts'

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

/** How a running command is watched, beyond its overall deadline. */
export interface CommandWatch {
  /** The host must acknowledge (a heartbeat naming the command, or output) within this. */
  ackWithinMs?: number
  /** Asked every few seconds while it runs: a reason it cannot complete (the agent unit stopped…). */
  whyNot?: () => Promise<string | undefined>
  checkEveryMs?: number
}

export const ACK_WITHIN_MS = 45_000

/**
 * The browser socket's frames about one command on one host, until its
 * `command_complete`. Ends at once, naming the host and what happened, when
 * the host does not acknowledge the command in time, goes offline while it
 * runs, or `whyNot` gives a reason; otherwise at the overall deadline.
 */
export function watchCommandFrames(
  ws: WebSocket,
  host: string,
  command: string,
  timeoutMs: number,
  watch: CommandWatch = {},
): Promise<Frame[]> {
  const ackMs = Math.min(watch.ackWithinMs ?? ACK_WITHIN_MS, timeoutMs)
  return new Promise((resolve, reject) => {
    const frames: Frame[] = []
    let acked = false
    let done = false
    const seen = (): string =>
      frames
        .filter((f) => f.payload.host_id === host)
        .map((f) => f.type)
        .join(', ') || 'none'
    const finish = (reason?: string): void => {
      if (done) return
      done = true
      clearTimeout(overall)
      clearTimeout(ack)
      clearInterval(check)
      ws.off('message', on)
      if (reason)
        reject(new DashboardError(`${host}: ${command}: ${reason} (frames for ${host}: ${seen()})`))
      else resolve(frames)
    }
    const overall = setTimeout(
      () => finish(`no completion within ${formatMs(timeoutMs)}`),
      timeoutMs,
    )
    const ack = setTimeout(() => {
      if (!acked)
        finish(
          `sent, but ${host} neither acknowledged it nor sent output within ${formatMs(ackMs)}`,
        )
    }, ackMs)
    const check = setInterval(() => {
      void watch
        .whyNot?.()
        .then((why) => why && finish(`stopped while running: ${why}`))
        .catch(() => undefined)
    }, watch.checkEveryMs ?? 5000)
    const on = (data: Buffer): void => {
      const f = JSON.parse(data.toString()) as Frame
      frames.push(f)
      if (f.payload.host_id !== host) return
      if (f.type === 'command_output' || (f.type === 'host_update' && f.payload.pending_command))
        acked = true
      if (
        f.type === 'host_update' &&
        (f.payload.online === false || f.payload.status === 'offline')
      )
        finish('the host went offline while it ran (the dashboard says so)')
      else if (f.type === 'command_complete') finish()
    }
    ws.on('message', on)
  })
}

/**
 * Why a command request got no answer, when the dashboard otherwise looks
 * healthy: the migration day's evening dashboard (nixfleet 29f2b4e until
 * de15045) stopped handling agents and commands after an agent disconnected,
 * while /health and the login page still answered.
 */
async function stuckHint(client: DashboardClient, err: unknown): Promise<string> {
  if (!/no complete answer within/.test((err as Error).message)) return ''
  const health = await client.http('GET', '/health', { timeoutMs: 5000 }).catch(() => undefined)
  return health?.status === 200
    ? '; /health still answers 200, so the dashboard is up but handles no command: restart its container (a nixfleet dashboard from 29f2b4e528f1 until de150459032f stops this way after an agent disconnects)'
    : ''
}

/**
 * A command sent the way the dashboard's UI sends it: the browser socket
 * is open first (so no output is missed), then POST …/command with the
 * CSRF token; the streamed `command_output` lines are collected until the
 * `command_complete` for that host arrives, watched while it runs
 * (watchCommandFrames).
 */
export async function sendCommand(
  client: DashboardClient,
  host: string,
  command: string,
  timeoutMs: number,
  watch: CommandWatch = {},
): Promise<CommandRun> {
  const ws = await client.browserSocket()
  try {
    const frames = watchCommandFrames(ws, host, command, timeoutMs, watch)
    // Keep the collector's rejection handled while the POST is in flight.
    frames.catch(() => undefined)
    const r = await client.command(host, command).catch(async (err: unknown) => {
      throw new DashboardError(`${(err as Error).message}${await stuckHint(client, err)}`, {
        cause: err,
      })
    })
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
        const got = await frames
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
): Promise<{ online: boolean; listed: boolean; detail: string; generation: string }> {
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
): { online: boolean; listed: boolean; detail: string; generation: string } {
  const h = hosts.find((x) => x.hostname === host)
  if (!h)
    return {
      online: false,
      listed: false,
      detail: hosts.length
        ? `${host} is not listed (hosts: ${hosts.map((x) => x.hostname).join(', ')})`
        : // The migration day's first dashboard (before nixfleet 2dc955d) only logged a register.
          `${host} is not listed: the dashboard lists no host at all (/api/hosts {"hosts":null}); a v2 dashboard before nixfleet 2dc955d87fa5 does not store the hosts that register: check the dashboard's revision`,
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
    listed: true,
    detail: `${host} listed as ${h.status}, last seen ${h.last_seen ?? 'never'}, generation ${h.generation || '-'}${stale}`,
    generation: h.generation,
  }
}

/**
 * How long a host whose agent logged "registered with dashboard" may stay
 * unlisted before the dashboard is taken not to store it. From nixfleet
 * 2dc955d87fa5 the hub stores the host before it answers the register
 * (`hub.go`: updateHost, then `registered`), and the agent logs the line only
 * on that answer: a list read after the line is logged that lacks the host
 * is a dashboard that did not store it (one before 2dc955d, or a register
 * under another name), which waiting cannot mend. The wait reads the list
 * again after the log (a register between the two reads is not taken for
 * one never stored) and gives up when that holds over a few reads, not a
 * whole heartbeat interval: the store is not something a heartbeat brings.
 */
export const UNLISTED_AFTER_REGISTER_MS = 5_000

/**
 * What the host's agent logged since its start, for a wait on its listing:
 * its register answered, or the dashboard refusing its token (twice or more).
 */
export interface AgentSide {
  registered: boolean
  refused?: string
}

/**
 * Waits until the dashboard lists `host` online; the timeout error says how it
 * was last listed. With `agentSide`, it gives up early on a host the dashboard
 * will not list: one whose agent it refuses, or one it does not list although
 * it answered the register.
 */
export function waitHostOnline(
  client: DashboardClient,
  host: string,
  timeout: Duration = '2m',
  agentSide?: () => Promise<AgentSide>,
): Promise<string> {
  const unlisted = new Persisting()
  return poll(
    `the dashboard lists ${host} online`,
    async () => {
      const first = await hostListing(client, host)
      if (first.online) return first.detail
      // A log that cannot be read now (the host rebooting) says nothing either way.
      const agent =
        !first.listed && agentSide ? await agentSide().catch(() => undefined) : undefined
      if (agent?.refused)
        throw new TerminalStateError(
          `${first.detail}; its agent is refused by the dashboard: ${agent.refused}`,
        )
      // Read after the log: a host the dashboard stored before answering is listed by now.
      const l = agent?.registered ? await hostListing(client, host) : first
      if (l.online) return l.detail
      const heldMs = unlisted.observe(agent?.registered === true && !l.listed)
      if (heldMs >= UNLISTED_AFTER_REGISTER_MS)
        throw new TerminalStateError(
          `${l.detail}; its agent logged "registered with dashboard" and the dashboard has not listed it in ${Math.round(heldMs / 1000)} s of reads since (a dashboard stores a host before it answers its register): it answered the register without storing the host, waiting cannot mend it`,
        )
      throw new Error(l.detail)
    },
    { timeout, interval: '2s' },
  )
}
