import type { FleetHost } from '../fleet/fleet.ts'

/**
 * The start lines of the two agents, case-sensitive: v1's banner says
 * "NixFleet Agent Starting" (agent/nixfleet-agent.sh), v2 logs
 * "NixFleet Agent starting" and then "starting agent" (reference §2); the
 * second v2 line is not a start of its own.
 */
const V1_START = /NixFleet Agent Starting/
const V2_START = /NixFleet Agent starting/

/** The kind of the agent's last start in this log, and that start's line. */
export function lastStart(log: string[]): { kind: 'v1' | 'v2'; line: string } | undefined {
  for (let i = log.length - 1; i >= 0; i--) {
    const line = log[i] ?? ''
    if (V2_START.test(line)) return { kind: 'v2', line: line.trim() }
    if (V1_START.test(line)) return { kind: 'v1', line: line.trim() }
  }
  return undefined
}

/**
 * Which agent a host runs, read from the agent's own log since its last
 * start (lastStart). A log without a start line (cleared by a reboot, an
 * agent that dies before logging) is judged by the configured URL. A host
 * without a running agent runs neither.
 */
export async function runningAgent(
  fh: FleetHost,
): Promise<{ kind: 'none' | 'v1' | 'v2'; detail: string }> {
  const state = await fh.os.agentState(fh.host)
  if (!state.running) return { kind: 'none', detail: state.detail }
  const log = (await fh.os.agentLog(fh.host, 400)).split('\n')
  const start = lastStart(log)
  if (start?.kind === 'v2') return { kind: 'v2', detail: start.line }
  if (!start) {
    // No start line at all (a log cleared by a reboot, an agent that dies before logging):
    // the configuration says which agent the unit or job runs.
    const url = await configuredUrl(fh)
    if (/^wss?:\/\//.test(url))
      return { kind: 'v2', detail: `no start line in its log; configured for ${url} (v2)` }
    return {
      kind: 'v1',
      detail: `running (${state.detail}); no start line in its log; configured for ${url || 'no NIXFLEET_URL'}`,
    }
  }
  return {
    kind: 'v1',
    detail: `running (${state.detail}); last start line: ${start.line}`,
  }
}

/**
 * A NIXFLEET_* variable as the agent's unit (Environment=) or launchd job
 * (its wrapper script, quotes possibly XML-escaped) sets it; "" when unset.
 */
export function configuredValue(text: string, name: string): string {
  return new RegExp(`${name}=(?:&apos;|&quot;|['"])?([^'"\\s&<]+)`).exec(text)?.[1] ?? ''
}

async function configuredUrl(fh: FleetHost): Promise<string> {
  const url = configuredValue(await fh.os.agentConfiguration(fh.host), 'NIXFLEET_URL')
  return /^[a-z]+:\/\//.test(url) ? url : ''
}
