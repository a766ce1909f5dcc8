import type { FleetHost } from '../fleet/fleet.ts'

/**
 * Which agent a host runs, read from the agent's own log since its last
 * start: the v2 (Go) agent announces itself with "NixFleet Agent starting"
 * (reference §4.2); anything else that runs under the same unit/label is the
 * v1 agent. A host without a running agent runs neither.
 */
export async function runningAgent(
  fh: FleetHost,
): Promise<{ kind: 'none' | 'v1' | 'v2'; detail: string }> {
  const state = await fh.os.agentState(fh.host)
  if (!state.running) return { kind: 'none', detail: state.detail }
  const log = (await fh.os.agentLog(fh.host, 400)).split('\n')
  const v2Start = log.map((l) => l.includes('NixFleet Agent starting')).lastIndexOf(true)
  const anyStart = log.map((l) => /\bstarting\b/i.test(l)).lastIndexOf(true)
  if (v2Start >= 0 && v2Start === anyStart)
    return { kind: 'v2', detail: (log[v2Start] ?? '').trim() }
  if (anyStart < 0) {
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
    detail: `running (${state.detail}); last start line: ${(log[anyStart] ?? '').trim()}`,
  }
}

/** NIXFLEET_URL as the agent's unit (Environment=) or launchd job (its wrapper script) sets it. */
async function configuredUrl(fh: FleetHost): Promise<string> {
  const text = await fh.os.agentConfiguration(fh.host)
  // In the plist the wrapper script's quotes may be XML-escaped.
  return /NIXFLEET_URL=(?:&apos;|&quot;|['"])?([a-z]+:\/\/[^'"\s&<]+)/.exec(text)?.[1] ?? ''
}
