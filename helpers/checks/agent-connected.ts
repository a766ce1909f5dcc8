import type { FleetHost } from '../fleet/fleet.ts'
import { HostError } from '../hosts/errors.ts'
import type { Duration } from '../time/duration.ts'
import { poll, TerminalStateError } from '../wait/poll.ts'

/**
 * The plan's agent verification (§2.5): the service runs and stays up, and
 * its log, since the agent last started, shows "connected to dashboard" and
 * "registered" (journal on NixOS; /tmp/nixfleet-agent.err on macOS, where
 * the v2 agent writes, reference §4.2). Older runs' lines do not count.
 */
export async function waitAgentConnected(
  fh: FleetHost,
  timeout: Duration = '3m',
  /** Asked while the lines are missing: a reason why they cannot come (the dashboard is down). */
  whyNot?: () => Promise<string | undefined>,
): Promise<{ lines: string[] }> {
  const { host, spec } = fh
  await fh.os.waitForAgent(host, timeout)
  return poll(
    `${spec.name}: agent log shows connected to dashboard and registered`,
    async () => {
      const log = await fh.os.agentLogThisBoot(host, 300)
      const lines = log.split('\n')
      const start = lines.map((l) => l.includes('NixFleet Agent starting')).lastIndexOf(true)
      const current = start < 0 ? [] : lines.slice(start)
      const connected = current.find((l) => l.includes('connected to dashboard'))
      const registered = current.find((l) => l.includes('registered with dashboard'))
      if (connected && registered) return { lines: [connected, registered] }
      const last = current.slice(-3).join(' | ') || lines.slice(-3).join(' | ') || '(empty log)'
      const refused = current.filter((l) => /401|unauthori[sz]ed|authentication failed/i.test(l))
      if (refused.length >= 2)
        throw new TerminalStateError(
          `${spec.name}: the dashboard refuses the agent's token (${refused.length} times since the agent started): ${refused.at(-1)?.trim() ?? ''}`,
        )
      const reason = await whyNot?.()
      if (reason) throw new TerminalStateError(`${spec.name}: the agent cannot connect: ${reason}`)
      // Connected but never registered: the dashboard took the socket and answers nothing on it.
      const unanswered =
        connected && !registered
          ? ' (the dashboard accepted the connection but never answered the register: a dashboard whose hub handles no agent message, as nixfleet from 29f2b4e528f1 until de150459032f after an agent disconnects)'
          : ''
      throw new HostError(
        spec.name,
        `agent log since its start lacks ${connected ? '' : '"connected to dashboard" '}${registered ? '' : '"registered"'}; last lines: ${last}${unanswered}`,
      )
    },
    { timeout, interval: '2s' },
  )
}
