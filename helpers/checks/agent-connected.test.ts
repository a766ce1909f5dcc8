import { afterEach, describe, expect, it, vi } from 'vitest'
import type { FleetHost } from '../fleet/fleet.ts'
import {
  agentSession,
  REGISTER_UNANSWERED_MS,
  UnansweredRegisters,
  waitAgentConnected,
} from './agent-connected.ts'
import { settle } from '../testing/settle.ts'
import type { Duration } from '../time/duration.ts'

const START = 'INF NixFleet Agent starting version=2.0.0 hostname=gpc0'
const CONNECTED = 'INF connected to dashboard url=wss://fleet.barta.cm/ws'
const REGISTERED = 'INF registered with dashboard host_id=gpc0'

/** A host whose agent log is whatever `log()` says at each read. */
function hostWithLog(log: () => string): FleetHost {
  return {
    spec: { name: 'gpc0' },
    host: {},
    os: { waitForAgent: () => Promise.resolve(), agentLogThisBoot: () => Promise.resolve(log()) },
  } as unknown as FleetHost
}

afterEach(() => void vi.useRealTimers())

describe('the agent session in its log', () => {
  it('counts only lines since the agent last started', () => {
    const s = agentSession([START, CONNECTED, REGISTERED, START, CONNECTED].join('\n'))
    expect(s.connected).toBe(CONNECTED)
    expect(s.registered).toBeUndefined()
    expect(agentSession('').started).toBe(false)
  })
})

describe('waitAgentConnected gives up only on what waiting cannot mend', () => {
  it('a register answered at once passes', async () => {
    vi.useFakeTimers()
    const r = await settle(
      waitAgentConnected(hostWithLog(() => [START, CONNECTED, REGISTERED].join('\n'))),
    )
    expect(r.value?.lines).toEqual([CONNECTED, REGISTERED])
  })

  it('a register left unanswered for a heartbeat interval fails then, not at the deadline, naming the stopped hub', async () => {
    vi.useFakeTimers()
    const r = await settle(
      waitAgentConnected(
        hostWithLog(() => [START, CONNECTED].join('\n')),
        '3m',
        undefined,
        new UnansweredRegisters(),
      ),
    )
    expect(r.error?.message).toMatch(
      /gpc0: agent log shows connected to dashboard and registered: gave up early: gpc0: agent log since its start lacks "registered"; last lines: .*connected to dashboard.*never answered the register: a dashboard whose hub handles no agent message.*unanswered for 3\d s/,
    )
    expect(r.ms).toBeGreaterThanOrEqual(REGISTER_UNANSWERED_MS)
    expect(r.ms).toBeLessThan(REGISTER_UNANSWERED_MS + 10_000)
  })

  it('a register answered late (within the interval) still passes', async () => {
    vi.useFakeTimers()
    const t0 = Date.now()
    const r = await settle(
      waitAgentConnected(
        hostWithLog(() =>
          [
            START,
            CONNECTED,
            ...(Date.now() - t0 > REGISTER_UNANSWERED_MS - 5000 ? [REGISTERED] : []),
          ].join('\n'),
        ),
        '3m',
        undefined,
        new UnansweredRegisters(),
      ),
    )
    expect(r.value?.lines).toEqual([CONNECTED, REGISTERED])
  })

  it('a later wait on the same unanswered connection gives up at once; a restarted agent is watched afresh', async () => {
    vi.useFakeTimers()
    const seen = new UnansweredRegisters()
    const waitOn = (lines: string[], timeout: Duration) =>
      waitAgentConnected(
        hostWithLog(() => lines.join('\n')),
        timeout,
        undefined,
        seen,
      )
    const open = [`21:34:15 ${START}`, `21:34:16 ${CONNECTED}`]
    const first = await settle(waitOn(open, '3m'))
    expect(first.ms).toBeGreaterThanOrEqual(REGISTER_UNANSWERED_MS)
    // 2.7 after 2.6: the same agent run, the same connection, still no answer.
    const again = await settle(waitOn(open, '1m'))
    expect(again.error?.message).toMatch(/never answered the register.*since first seen/)
    expect(again.ms).toBeLessThan(5_000)
    // The agent restarted: its new connection gets a whole interval of its own.
    const restarted = [...open, `21:36:02 ${START}`, `21:36:03 ${CONNECTED}`]
    const fresh = await settle(waitOn(restarted, '3m'))
    expect(fresh.error?.message).toMatch(/never answered the register/)
    expect(fresh.ms).toBeGreaterThanOrEqual(REGISTER_UNANSWERED_MS)
  })

  it('an agent not yet connected waits out the deadline (a reconnect can still come)', async () => {
    vi.useFakeTimers()
    const r = await settle(
      waitAgentConnected(
        hostWithLog(() => START),
        '1m',
      ),
    )
    expect(r.error?.message).toMatch(/not satisfied after 1 min/)
    expect(r.ms).toBeGreaterThanOrEqual(60_000)
  })
})
