import { afterEach, describe, expect, it, vi } from 'vitest'
import type { DashboardClient, HostRow } from './client.ts'
import { UNLISTED_AFTER_REGISTER_MS, waitHostOnline, type AgentSide } from './commands.ts'
import { settle } from '../testing/settle.ts'

/** A dashboard whose /api/hosts answers `rows()` at each read, by its own clock now. */
const dashboard = (rows: () => HostRow[] | null): DashboardClient =>
  ({
    hostList: () => Promise.resolve({ hosts: rows() ?? [], serverNow: Date.now() }),
  }) as unknown as DashboardClient

const gpc0 = (): HostRow => ({
  hostname: 'gpc0',
  status: 'online',
  generation: 'a1b2c3d',
  last_seen: new Date().toISOString(),
  pending_command: null,
})

afterEach(() => void vi.useRealTimers())

/** The host's agent logged its register answered. */
const yes = (): Promise<AgentSide> => Promise.resolve({ registered: true })

describe('waiting for the dashboard to list a host online', () => {
  it('a dashboard that stores no host, with the agent registered: fails after a few reads, naming the revision to check', async () => {
    vi.useFakeTimers()
    const r = await settle(
      waitHostOnline(
        dashboard(() => null),
        'gpc0',
        '2m',
        yes,
      ),
    )
    expect(r.error?.message).toMatch(
      /gave up early: gpc0 is not listed: the dashboard lists no host at all .*before nixfleet 2dc955d.*its agent logged "registered with dashboard" and the dashboard has not listed it in \d s of reads since/,
    )
    expect(r.ms).toBeGreaterThanOrEqual(UNLISTED_AFTER_REGISTER_MS)
    expect(r.ms).toBeLessThan(UNLISTED_AFTER_REGISTER_MS + 10_000)
  })

  it('an agent not yet registered (or a log that cannot be read) waits out the deadline', async () => {
    vi.useFakeTimers()
    for (const registered of [
      () => Promise.resolve({ registered: false }),
      () => Promise.reject(new Error('ssh')),
    ]) {
      const r = await settle(
        waitHostOnline(
          dashboard(() => null),
          'gpc0',
          '1m',
          registered,
        ),
      )
      expect(r.error?.message).toMatch(/not satisfied after 1 min/)
    }
  })

  it('a host listed a little after its register passes', async () => {
    vi.useFakeTimers()
    const t0 = Date.now()
    const r = await settle(
      waitHostOnline(
        dashboard(() => (Date.now() - t0 > UNLISTED_AFTER_REGISTER_MS - 2000 ? [gpc0()] : [])),
        'gpc0',
        '2m',
        yes,
      ),
    )
    expect(r.value).toMatch(/^gpc0 listed as online/)
  })

  it('a host listed but offline is waited for to the deadline (the agent may reconnect)', async () => {
    vi.useFakeTimers()
    const r = await settle(
      waitHostOnline(
        dashboard(() => [{ ...gpc0(), status: 'offline' }]),
        'gpc0',
        '1m',
        yes,
      ),
    )
    expect(r.error?.message).toMatch(
      /not satisfied after 1 min; last error: gpc0 listed as offline/,
    )
  })

  it('a host whose agent the dashboard refuses fails at once, naming the refusal', async () => {
    vi.useFakeTimers()
    const r = await settle(
      waitHostOnline(
        dashboard(() => [{ ...gpc0(), hostname: 'mba-mbp-work' }]),
        'gpc0',
        '2m',
        () => Promise.resolve({ registered: false, refused: '2 times since it started: 401' }),
      ),
    )
    expect(r.error?.message).toMatch(
      /gave up early: gpc0 is not listed \(hosts: mba-mbp-work\); its agent is refused by the dashboard: 2 times/,
    )
    expect(r.ms).toBeLessThan(5_000)
  })
})
