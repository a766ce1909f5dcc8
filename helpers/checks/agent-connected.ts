import { HEARTBEAT_MS } from '../dashboard/commands.ts'
import type { FleetHost } from '../fleet/fleet.ts'
import { HostError } from '../hosts/errors.ts'
import type { Duration } from '../time/duration.ts'
import { poll, TerminalStateError } from '../wait/poll.ts'

/** What the agent's log says of its session with the dashboard since the agent last started. */
export interface AgentSession {
  /** The log holds a start line of the v2 agent. */
  started: boolean
  /** That start line (its time names the agent's run). */
  startLine?: string
  connected?: string
  registered?: string
  /** Lines where the dashboard refused the agent's token. */
  refusals: string[]
  /** The last lines, for a message. */
  last: string
}

/** Reads the agent's session from its log; older runs' lines (before its last start) do not count. */
export function agentSession(log: string): AgentSession {
  const lines = log.split('\n')
  const start = lines.map((l) => l.includes('NixFleet Agent starting')).lastIndexOf(true)
  const current = start < 0 ? [] : lines.slice(start)
  return {
    started: start >= 0,
    ...(start >= 0 ? { startLine: lines[start] } : {}),
    connected: current.find((l) => l.includes('connected to dashboard')),
    registered: current.find((l) => l.includes('registered with dashboard')),
    refusals: current.filter((l) => /401|unauthori[sz]ed|authentication failed/i.test(l)),
    last: current.slice(-3).join(' | ') || lines.slice(-3).join(' | ') || '(empty log)',
  }
}

/** The agent's session as its log on the host shows it now. */
export async function readAgentSession(fh: FleetHost): Promise<AgentSession> {
  return agentSession(await fh.os.agentLogThisBoot(fh.host, 300))
}

/**
 * How long a connection the dashboard accepted may go without an answer to the
 * register before the dashboard is taken to handle no agent message. The hub
 * answers a register as soon as it reads it (nixfleet v2 `hub.go`: the host is
 * stored, then `registered` is sent); a whole heartbeat interval without it on an
 * open connection is a hub that has stopped (29f2b4e528f1 until de150459032f),
 * and the agent does not register again on a connection that stays open.
 */
export const REGISTER_UNANSWERED_MS = HEARTBEAT_MS

/**
 * Connections seen open with their register unanswered, across waits: an
 * agent run's first connection, named by its start and connect lines. Within
 * one run of the agent the log only grows, so a register still unanswered
 * now was unanswered all along since a wait first saw it: a later wait on the
 * same connection (2.7 after 2.6) goes on from that first sight instead of
 * watching a whole interval again. A restarted agent, or a new boot, is
 * another key and is watched afresh.
 */
export class UnansweredRegisters {
  /** When each connection was first seen unanswered (the condition never turns false for a key). */
  private readonly firstSeen = new Map<string, number>()

  /** For how long (ms) this connection has been seen open without its register answered. */
  observe(host: string, s: AgentSession, now = Date.now()): number {
    const key = [host, s.startLine ?? '', s.connected ?? ''].join('\n')
    const since = this.firstSeen.get(key) ?? now
    this.firstSeen.set(key, since)
    return now - since
  }
}

/** This run's memory of unanswered registers (one process runs a spec file's waits). */
export const UNANSWERED_REGISTERS = new UnansweredRegisters()

/**
 * The plan's agent verification (§2.5): the service runs and stays up, and
 * its log, since the agent last started, shows "connected to dashboard" and
 * "registered" (journal on NixOS; /tmp/nixfleet-agent.err on macOS, where
 * the v2 agent writes, reference §4.2). Older runs' lines do not count.
 * Gives up before the deadline only on what waiting cannot mend: the token
 * refused, the dashboard down, a register left unanswered.
 */
export async function waitAgentConnected(
  fh: FleetHost,
  timeout: Duration = '3m',
  /** Asked while the lines are missing: a reason why they cannot come (the dashboard is down). */
  whyNot?: () => Promise<string | undefined>,
  unanswered: UnansweredRegisters = UNANSWERED_REGISTERS,
): Promise<{ lines: string[] }> {
  const { host, spec } = fh
  await fh.os.waitForAgent(host, timeout)
  return poll(
    `${spec.name}: agent log shows connected to dashboard and registered`,
    async () => {
      const s = await readAgentSession(fh)
      if (s.connected && s.registered) return { lines: [s.connected, s.registered] }
      if (s.refusals.length >= 2)
        throw new TerminalStateError(
          `${spec.name}: the dashboard refuses the agent's token (${s.refusals.length} times since the agent started): ${s.refusals.at(-1)?.trim() ?? ''}`,
        )
      const reason = await whyNot?.()
      if (reason) throw new TerminalStateError(`${spec.name}: the agent cannot connect: ${reason}`)
      const lacks = `agent log since its start lacks ${s.connected ? '' : '"connected to dashboard" '}${s.registered ? '' : '"registered"'}; last lines: ${s.last}`
      if (!s.connected) throw new HostError(spec.name, lacks)
      // Connected but never registered: the dashboard took the socket and answers nothing on it.
      const heldMs = unanswered.observe(spec.name, s)
      const hub = `the dashboard accepted the connection but never answered the register: a dashboard whose hub handles no agent message, as nixfleet from 29f2b4e528f1 until de150459032f after an agent disconnects`
      if (heldMs >= REGISTER_UNANSWERED_MS)
        throw new TerminalStateError(
          `${spec.name}: ${lacks} (${hub}; unanswered for ${Math.round(heldMs / 1000)} s since first seen, a heartbeat interval or more: restart the dashboard's container)`,
        )
      throw new HostError(spec.name, `${lacks} (${hub})`)
    },
    { timeout, interval: '2s' },
  )
}
