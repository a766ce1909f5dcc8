import { afterAll, describe, expect, it } from 'vitest'
import { dashboardClient } from '../../../helpers/dashboard/dashboard-access.ts'
import { classifyWsAnswer } from '../../../helpers/dashboard/ws-answer.ts'
import { loadInventory } from '../../../helpers/inventory/load-inventory.ts'
import { NixosAdapter } from '../../../helpers/os/nixos.ts'
import { verifiedBackup } from '../../../helpers/phases/rollback-dashboard.ts'
import { DashboardStack } from '../../../helpers/steps/dashboard-stack.ts'
import { poll } from '../../../helpers/wait/poll.ts'
import { simulated } from './world-hosts.ts'

/**
 * Simulated csb1: its own Docker engine running the v1 dashboard behind the
 * TLS front, the v2 sources one `git pull` away, and a real reboot that the
 * dashboard survives by its restart policy.
 */
describe('simulated csb1 (Docker engine, v1 → v2 dashboard, TLS front)', () => {
  const { host } = simulated('csb1')
  const nixos = new NixosAdapter()
  const fleet = dashboardClient('rehearsal', 'https://fleet.barta.cm')
  const compose = (args: string): Promise<string> =>
    host.succeed(`cd ~/docker/nixfleet && docker compose ${args} 2>&1`, { timeout: '5m' })
  /** The container found through compose (its name differs between compose versions), until Docker calls it healthy. */
  const waitHealthy = (what: string, timeout: '2m' | '3m'): Promise<void> =>
    poll(
      what,
      async () => {
        const id = (await compose('ps -q nixfleet')).trim()
        if (!id) throw new Error('no nixfleet container')
        const h = (await host.succeed(`docker inspect -f '{{.State.Health.Status}}' ${id}`)).trim()
        if (h !== 'healthy') throw new Error(`health ${h}`)
      },
      { timeout, interval: '3s' },
    )

  afterAll(async () => {
    await fleet.close()
    await host.close()
  })

  it('serves the v1 dashboard at https://fleet.barta.cm (no /ws) and the neighbours', async () => {
    await expect
      .poll(async () => (await fleet.http('GET', '/login')).body, { timeout: 60_000 })
      .toContain('NixFleet - Login')
    expect((await fleet.http('GET', '/health')).body).toContain('"status":"healthy"')
    expect(classifyWsAnswer(await fleet.http('GET', '/ws'))).toMatchObject({ kind: 'v1' })
    for (const name of ['grafana', 'paperless', 'whoami1']) {
      const c = dashboardClient('rehearsal', `https://${name}.barta.cm`)
      expect(await c.http('GET', '/')).toMatchObject({
        status: 200,
        body: expect.stringContaining(`${name} ok`) as unknown,
      })
      await c.close()
    }
  })

  it('v1 agents poll it: the hosts’ last poll advances in the v1 database', async () => {
    const lastSeen = (): Promise<string> =>
      host
        .succeed(
          `sqlite3 ~/docker/nixfleet/data/nixfleet.db "SELECT last_seen FROM hosts WHERE id = 'gpc0'"`,
        )
        .then((s) => s.trim())
    const first = await poll(
      'gpc0 polls the v1 dashboard',
      async () => {
        const s = await lastSeen()
        if (!s.startsWith('20') || s < '2026') throw new Error(`last_seen still ${s}`)
        return s
      },
      { timeout: '4m', interval: '5s' },
    )
    await expect.poll(lastSeen, { timeout: 60_000, interval: 2000 }).not.toBe(first)
  })

  it('the dashboard rollback refuses without a verified backup, before stopping anything', async () => {
    const stack = new DashboardStack(host, loadInventory())
    const running = await stack.runningIds()
    expect(running.length).toBeGreaterThan(0)
    await expect(verifiedBackup(stack)).rejects.toThrow(
      'csb1: not rolling back: no v1 database backup (data/nixfleet.db.v1-backup-*) in ~/docker/nixfleet; v2 was left as it is',
    )
    // A backup that is not a database (a truncated copy, say) is refused just the same.
    const bad = 'data/nixfleet.db.v1-backup-20250101'
    await host.succeed(stack.inDir(`echo 'not sqlite' > ${bad}`))
    try {
      await expect(verifiedBackup(stack)).rejects.toThrow(
        /csb1: not rolling back: the backup data\/nixfleet\.db\.v1-backup-20250101 cannot be verified: .*not a readable SQLite database/,
      )
    } finally {
      await host.succeed(stack.inDir(`rm -f ${bad}`))
    }
    expect(await stack.runningIds(), 'the v1 stack must still be running').toEqual(running)
  })

  it('git pull, docker compose build, up -d: the v2 dashboard becomes healthy and /ws answers 401', async () => {
    await compose('down')
    // With no container left carrying its router, the front answers Traefik's own 404.
    expect(classifyWsAnswer(await fleet.http('GET', '/ws'))).toMatchObject({ kind: 'no-router' })
    expect(await host.succeed('cd ~/docker/nixfleet && git pull 2>&1')).toMatch(
      /Fast-forward|Updating/,
    )
    await compose('build')
    await compose('up -d')
    await waitHealthy('v2 container healthy', '2m')
    expect(await compose('logs nixfleet')).toContain('starting dashboard server addr=:8000')
    expect((await fleet.http('GET', '/login')).body).toContain('NixFleet Login')
    expect((await fleet.http('GET', '/ws')).status).toBe(401)
  })

  it('after a reboot of csb1 the v2 dashboard is back by its restart policy', async () => {
    const r = await host.reboot({
      command: nixos.rebootCommand,
      bootIdentity: (h) => nixos.bootIdentity(h),
      timeout: '4m',
    })
    expect(r.after).not.toBe(r.before)
    await waitHealthy('v2 container healthy after reboot', '3m')
    await expect
      .poll(async () => (await fleet.http('GET', '/login')).status, { timeout: 60_000 })
      .toBe(200)
  })
})
