import { describe, expect, it } from 'vitest'
import type { HostRow } from './client.ts'
import { judgeListing, parseDashboardTime } from './commands.ts'

const row = (over: Partial<HostRow>): HostRow => ({
  hostname: 'gpc0',
  status: 'online',
  generation: 'a1b2c3d',
  last_seen: '2025-12-14 14:30:00',
  pending_command: null,
  ...over,
})
const NOW = Date.parse('2025-12-14T14:30:40Z')

describe('“online” means a live connection now', () => {
  it('online with a heartbeat within three intervals, by the dashboard’s clock', () => {
    expect(judgeListing([row({})], 'gpc0', NOW).online).toBe(true)
    expect(judgeListing([row({ last_seen: '2025-12-14T14:29:30Z' })], 'gpc0', NOW).online).toBe(
      true,
    )
  })

  it('a row still saying online without a heartbeat for minutes is not online, and says why', () => {
    const j = judgeListing([row({ last_seen: '2025-12-14 14:20:00' })], 'gpc0', NOW)
    expect(j.online).toBe(false)
    expect(j.detail).toBe(
      "gpc0 listed as online, last seen 2025-12-14 14:20:00, generation a1b2c3d; no heartbeat for 640 s (more than 90 s by the dashboard's clock): the row is not a live connection",
    )
  })

  it('offline, never seen, or not listed are not online', () => {
    expect(judgeListing([row({ status: 'offline' })], 'gpc0', NOW).online).toBe(false)
    expect(judgeListing([row({ last_seen: null })], 'gpc0', NOW).online).toBe(false)
    expect(judgeListing([row({ hostname: 'gpc0.lan' })], 'gpc0', NOW).detail).toBe(
      'gpc0 is not listed (hosts: gpc0.lan)',
    )
  })

  it('an empty host list names the dashboard that does not store hosts (the day’s 40a6392)', () => {
    expect(judgeListing([], 'gpc0', NOW).detail).toMatch(
      /^gpc0 is not listed: the dashboard lists no host at all \(\/api\/hosts \{"hosts":null\}\); a v2 dashboard before nixfleet 2dc955d87fa5 does not store/,
    )
  })

  it('reads SQLite’s UTC timestamps and RFC 3339 alike', () => {
    expect(parseDashboardTime('2025-12-14 14:30:00')).toBe(Date.parse('2025-12-14T14:30:00Z'))
    expect(parseDashboardTime('2025-12-14T15:30:00+01:00')).toBe(Date.parse('2025-12-14T14:30:00Z'))
  })
})
