import { describe, expect, it } from 'vitest'
import { lastStart } from './agent-version.ts'

// Lines as the real agents write them: v2 through zerolog's console writer
// (main.go, then agent.go's Run), v1 as agent/nixfleet-agent.sh's banner.
const V2 = [
  '10:58AM INF NixFleet Agent starting hostname=gpc0 url=wss://fleet.barta.cm/ws version=2.0.0',
  '10:58AM INF starting agent hostname=gpc0 isolated_mode=true repo_dir=/var/lib/nixfleet-agent/repo url=wss://fleet.barta.cm/ws',
  '10:58AM INF connected to dashboard',
  '10:58AM INF registered with dashboard host_id=gpc0',
]
const V1 = [
  '[2025-12-14 09:10:00] [INFO] ╔══════════════════════════════════════════════════════════════╗',
  '[2025-12-14 09:10:00] [INFO] ║                    NixFleet Agent Starting                   ║',
  '[2025-12-14 09:10:00] [INFO] ╚══════════════════════════════════════════════════════════════╝',
  '[2025-12-14 09:10:00] [INFO] URL:         https://fleet.barta.cm',
]

describe('which agent started last, from its log', () => {
  it('the real v2 start (two lines holding "starting") is v2', () => {
    expect(lastStart(V2)).toEqual({ kind: 'v2', line: V2[0] })
  })

  it('v1’s banner is v1', () => {
    expect(lastStart(V1)?.kind).toBe('v1')
  })

  it('the later start decides: v1 then v2 is v2, v2 then v1 (a rollback) is v1', () => {
    expect(lastStart([...V1, ...V2])?.kind).toBe('v2')
    expect(lastStart([...V2, ...V1])?.kind).toBe('v1')
  })

  it('a log without a start line has none', () => {
    expect(lastStart(['10:58AM INF connected to dashboard', ''])).toBeUndefined()
  })
})
