import { Step } from '../helpers/flow/step.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeNeighbour, probeNeighbours } from '../helpers/checks/neighbours.ts'
import { checkRemoteSqlite } from '../helpers/checks/sqlite-file.ts'
import { dashboardClient } from '../helpers/dashboard/dashboard-access.ts'
import { V1PollProbe } from '../helpers/dashboard/v1-polls.ts'
import { openRunFleet } from '../helpers/fleet/open-run-fleet.ts'
import { outOfScope } from '../helpers/config/scope.ts'
import { dashboardStack } from '../helpers/phases/phase2.ts'
import {
  rollbackDashboard,
  waitV1LoginPage,
  type DashboardRollback,
  planDashboardRollback,
} from '../helpers/phases/rollback-dashboard.ts'
import { readSecret } from '../helpers/secrets/secrets.ts'
import { planMode } from '../helpers/config/plan-mode.ts'
import { confirmPlan, showPlan } from '../helpers/plan/show-plan.ts'
import { volumeFor } from '../helpers/steps/v1-container.ts'
import { v1Volume } from '../helpers/steps/v1-volume.ts'

/**
 * Plan P4500, Rollback Plan, "If v2 Dashboard Fails": the v2 service
 * removed, the v1 commit checked out, the v1 database restored from its
 * backup into v1's volume, the v1 container started again. It runs only when asked for (ROLLBACK_DASHBOARD=1) in production;
 * the rehearsal exercises it every time. It refuses before stopping anything
 * when there is no verified backup.
 */
const fleet = openRunFleet()
const inv = fleet.inventory
const csb1 = inv.dashboard.host
const url = inv.dashboard.url
const stack = dashboardStack(fleet)
const asked = process.env.ROLLBACK_DASHBOARD === '1' || fleet.target === 'rehearsal'
/** HOSTS without the dashboard's host: the rollback acts on csb1 only, so it does nothing. */
const csb1OutOfScope = outOfScope(inv, csb1)
const rollback = new Step('dashboard rollback', {
  phase: 'dashboard rollback',
  requires: () => {
    confirmPlan(fleet.target, () => planDashboardRollback(fleet), 'plan-rollback-dashboard.json')
    return Promise.resolve()
  },
  action: () => rollbackDashboard(fleet),
})

afterAll(async () => {
  await fleet.close()
})

describe('Rollback Plan: If v2 Dashboard Fails', () => {
  if (!asked) {
    it('dashboard rollback', (ctx) =>
      ctx.skip('ROLLBACK_DASHBOARD=1 is not set: no dashboard rollback was asked for'))
    return
  }
  if (csb1OutOfScope) {
    it('dashboard rollback', (ctx) => ctx.skip(csb1OutOfScope))
    return
  }

  if (planMode()) {
    it('plan (MIGRATION_PLAN=1: nothing is done)', () => {
      expect(
        showPlan(planDashboardRollback(fleet), 'plan-rollback-dashboard.json').steps.length,
      ).toBeGreaterThan(0)
    })
    return
  }

  beforeAll(() => rollback.run(), 30 * 60_000)

  const done = (): DashboardRollback => rollback.get()

  // Before the login check: a login writes a session row.
  it(`${csb1}: the v1 database equals its backup (checksum and row counts)`, async () => {
    const r = done()
    const { database } = inv.dashboard
    expect(
      r.restoredSha256,
      `${csb1}: ${database} after the restore differs from ${r.backup.file}`,
    ).toBe(r.backup.check.sha256)
    // Read where v1 reads it: the database in v1's volume.
    const { volume, dir } = volumeFor(csb1, r.v1, database)
    const live = await checkRemoteSqlite(stack.host, v1Volume.base64(r.v1, volume, dir, database))
    expect(live.integrity, `${csb1}: PRAGMA integrity_check on ${database}`).toBe('ok')
    expect(
      live.rowCounts,
      `${csb1}: rows per table in ${database} (running v1) against ${r.backup.file}`,
    ).toEqual(r.backup.check.rowCounts)
  })

  it(`${csb1}: the v1 login page answers at ${url}`, async () => {
    done()
    const page = await waitV1LoginPage(fleet, '1m')
    const probe = new V1PollProbe(dashboardClient(fleet.target, url))
    await probe.login(readSecret('dashboardPassword'), readSecret('totpSecret'))
    const rows = await probe.rows()
    expect(rows.size, `${csb1}: the v1 host list after login (${page})`).toBeGreaterThan(0)
  })

  it(`${csb1}: the v2 container is gone`, async () => {
    const r = done()
    const all = (await stack.host.succeed(`docker ps -a -q --no-trunc`, { timeout: '1m' })).split(
      '\n',
    )
    const left = r.v2Containers.filter((id) => all.some((a) => a.startsWith(id)))
    expect(left, `${csb1}: v2 container(s) still present: ${left.join(', ')}`).toEqual([])
    const listed = await stack.nixfleetContainers()
    expect(
      listed.length,
      `${csb1}: \`docker ps | grep nixfleet\` should show the v1 container only: ${listed.join(' | ')}`,
    ).toBe(1)
  })

  it(`${csb1}: the neighbouring services still answer`, async () => {
    done()
    const down = (await probeNeighbours(fleet.target, inv.dashboard.neighbours)).filter(
      (n) => !n.answered,
    )
    expect(down.map(describeNeighbour), `${csb1}: neighbouring services not answering`).toEqual([])
  })
})
