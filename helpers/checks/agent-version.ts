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
  return {
    kind: 'v1',
    detail: `running (${state.detail}); last start line: ${anyStart >= 0 ? (log[anyStart] ?? '').trim() : 'none found'}`,
  }
}
