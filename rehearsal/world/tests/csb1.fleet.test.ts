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
 * Simulated csb1 as the real one was (reference §3): its own Docker engine,
 * the main stack (front + neighbours) in ~/docker, v1 running from the
 * checkout's docker/docker-compose.csb1.yml with its database in a named
 * volume, and a real reboot.
 */
describe('simulated csb1 (Docker engine, v1 as deployed, TLS front)', () => {
  const { host } = simulated('csb1')
  const nixos = new NixosAdapter()
  const fleet = dashboardClient('rehearsal', 'https://fleet.barta.cm')
  const inDir = (dir: string, cmd: string) =>
    host.run(`cd ${dir} && ${cmd} 2>&1`, { timeout: '5m' })
  const v1State = async (): Promise<string> =>
    (await host.succeed(`docker inspect -f '{{.State.Status}}' nixfleet`)).trim()

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

  it('v1 runs as on the real csb1: project docker from docker/docker-compose.csb1.yml, database in a named volume', async () => {
    const stack = new DashboardStack(host, loadInventory())
    const v1 = await stack.v1Container()
    expect(v1?.name).toBe('nixfleet')
    expect(v1?.running).toBe(true)
    expect(v1?.compose.project).toBe('docker')
    // Compose 1.29 records the file as given on its command line; v2 makes it absolute.
    expect(v1?.compose.configFiles.join()).toMatch(/(^|\/)docker\/docker-compose\.csb1\.yml$/)
    expect(v1?.compose.workingDir).toMatch(/\/docker\/nixfleet\/docker$/)
    expect(v1?.volumes.get('/data')).toBe('docker_nixfleet-data')
    // The neighbours are the main stack's: project csb1.
    const neighbours = await host.succeed(
      `docker ps --filter label=com.docker.compose.project=csb1 --format '{{.Names}}'`,
    )
    expect(neighbours).toMatch(/grafana/)
  })

  it('v1 agents poll it: the hosts’ last poll advances in the database in its volume', async () => {
    const lastSeen = (): Promise<string> =>
      host
        .succeed(
          `docker exec nixfleet python3 -c "import sqlite3; print(sqlite3.connect('/data/nixfleet.db').execute(\\"SELECT last_seen FROM hosts WHERE id = 'gpc0'\\").fetchone()[0])"`,
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

  it("the plan's literal §1.2 leaves v1 running and finds no data/nixfleet.db, as on the real csb1", async () => {
    // cd ~/docker/nixfleet && docker compose down: the root compose file is the generic example, not v1's.
    const down = await inDir('~/docker/nixfleet', 'docker compose down')
    expect(down.exitCode, down.stdout).toBe(0)
    const cp = await inDir(
      '~/docker/nixfleet',
      'cp data/nixfleet.db data/nixfleet.db.v1-backup-$(date +%Y%m%d)',
    )
    expect(cp.exitCode).not.toBe(0)
    expect(cp.stdout).toMatch(/No such file or directory/)
    // docker ps | grep nixfleet: "Should show nothing". It shows v1.
    expect(await host.succeed('docker ps | grep nixfleet || true')).toMatch(/nixfleet/)
    expect(await v1State()).toBe('running')
    expect(classifyWsAnswer(await fleet.http('GET', '/ws'))).toMatchObject({ kind: 'v1' })
  })

  it('the dashboard rollback refuses without a verified backup, before stopping anything', async () => {
    const stack = new DashboardStack(host, loadInventory())
    await expect(verifiedBackup(stack)).rejects.toThrow(
      'csb1: not rolling back: no v1 database backup (data/nixfleet.db.v1-backup-*) in ~/docker/nixfleet; v2 was left as it is',
    )
    // A backup that is not a database (a truncated copy, say) is refused just the same.
    const bad = 'data/nixfleet.db.v1-backup-20250101'
    await host.succeed(stack.inCheckout(`mkdir -p data && echo 'not sqlite' > ${bad}`))
    try {
      await expect(verifiedBackup(stack)).rejects.toThrow(
        /csb1: not rolling back: the backup data\/nixfleet\.db\.v1-backup-20250101 cannot be verified: .*not a readable SQLite database/,
      )
    } finally {
      await host.succeed(stack.inCheckout(`rm -f ${bad}`))
    }
    expect(await v1State(), 'the v1 dashboard must still be running').toBe('running')
  })

  it("the plan's literal §2.3 (git pull, build, up -d in ~/docker/nixfleet) does not bring v2", async () => {
    await host.succeed('docker stop nixfleet')
    // With no running container carrying its router, the front answers Traefik's own 404.
    expect(classifyWsAnswer(await fleet.http('GET', '/ws'))).toMatchObject({ kind: 'no-router' })
    expect((await inDir('~/docker/nixfleet', 'git pull')).stdout).toMatch(/Fast-forward|Updating/)
    // The root compose file builds the repository's root: v1's image, not v2/.
    const config = await inDir('~/docker/nixfleet', 'docker compose config')
    expect(config.stdout).not.toMatch(/v2/)
    await inDir('~/docker/nixfleet', 'docker compose build')
    const up = await inDir('~/docker/nixfleet', 'docker compose up -d')
    // v1's stopped container still holds the name the example compose asks for.
    expect(up.exitCode, up.stdout).not.toBe(0)
    expect(up.stdout).toMatch(/nixfleet.*already in use|Conflict/)
    expect((await fleet.http('GET', '/ws')).status).not.toBe(401)
  })

  it('after a reboot of csb1 the main stack is back by its restart policy, and the stopped v1 stays stopped', async () => {
    const r = await host.reboot({
      command: nixos.rebootCommand,
      bootIdentity: (h) => nixos.bootIdentity(h),
      timeout: '4m',
    })
    expect(r.after).not.toBe(r.before)
    const grafana = dashboardClient('rehearsal', 'https://grafana.barta.cm')
    try {
      await expect
        .poll(async () => (await grafana.http('GET', '/')).status, {
          timeout: 120_000,
          interval: 2000,
        })
        .toBe(200)
    } finally {
      await grafana.close()
    }
    expect(await v1State()).toBe('exited')
  })
})
