import type { Fleet } from '../fleet/fleet.ts'
import { checkRemoteSqlite, type SqliteCheck } from '../checks/sqlite-file.ts'
import { dashboardClient } from '../dashboard/dashboard-access.ts'
import { HostError } from '../hosts/errors.ts'
import { say } from '../output/say.ts'
import { sh } from '../shell/quote.ts'
import { DashboardStack } from '../steps/dashboard-stack.ts'
import { PhasePlan } from '../plan/phase-plan.ts'
import { readMainCompose, replaceMainCompose, withoutV2Service } from '../steps/main-compose.ts'
import { volumeFor, type DashboardContainer } from '../steps/v1-container.ts'
import { v1Volume } from '../steps/v1-volume.ts'
import { formatMs } from '../time/duration.ts'
import { poll } from '../wait/poll.ts'
import { dashboardStack } from './phase2.ts'

/** The v1 tables a usable v1 backup must hold (the v1 dashboard's schema). */
export const V1_TABLES = ['command_log', 'hosts', 'sessions'] as const

/** The plan's rollback target: the dashboard back on v1 in under five minutes. */
export const DASHBOARD_ROLLBACK_TARGET_MS = 5 * 60_000

export interface VerifiedBackup {
  file: string
  check: SqliteCheck
}

/**
 * The newest v1 backup in the stack's directory, proven usable before
 * anything is stopped: its sha256 on csb1 equals the bytes read back here,
 * SQLite's integrity_check says ok and the v1 tables are there. Without one
 * the rollback refuses: it would stop v2 and have nothing to restore.
 */
export async function verifiedBackup(
  stack: DashboardStack,
  refusal = { what: 'not rolling back', left: 'v2 was left as it is' },
): Promise<VerifiedBackup> {
  const { host } = stack
  const pattern = stack.inventory.dashboard.backup.replace('{date}', '')
  const file = (await stack.backups()).at(-1)
  const refuse = (why: string): never => {
    throw new HostError(host.name, `${refusal.what}: ${why}; ${refusal.left}`)
  }
  if (!file) return refuse(`no v1 database backup (${pattern}*) in ${stack.checkout}`)
  const sums = await stack.checksums([file])
  let check: SqliteCheck
  try {
    check = await checkRemoteSqlite(host, stack.inCheckout(sh`base64 < ${file}`))
  } catch (err) {
    return refuse(`the backup ${file} cannot be verified: ${(err as Error).message}`)
  }
  if (check.sha256 !== sums.get(file))
    refuse(`the bytes of ${file} read back differ from its sha256 on the host`)
  if (check.integrity !== 'ok') refuse(`PRAGMA integrity_check on ${file} says ${check.integrity}`)
  const missing = V1_TABLES.filter((t) => !check.tables.includes(t))
  if (missing.length) refuse(`${file} lacks the v1 tables ${missing.join(', ')}`)
  return { file, check }
}

/** The first commit that added `v2/` (its parent is v1). */
const V2_ADDED_QUERY = 'git log --all --format=%H --diff-filter=A -- v2 | tail -1'

/** What the dashboard rollback will do, from the same commands its run uses. */
export function planDashboardRollback(fleet: Fleet): PhasePlan {
  const inv = fleet.inventory
  const csb1 = inv.dashboard.host
  const stack = new DashboardStack(fleet.get(csb1).host, inv)
  const { database, backup, service } = inv.dashboard
  const pattern = backup.replace('{date}', '*')
  const plan = new PhasePlan('Rollback: v2 dashboard')
  plan.note(
    csb1,
    `refuses unless the newest ${pattern} in ${inv.dashboard.checkout} is a verified SQLite v1 database and the stopped v1 container is still there`,
  )
  plan.command(
    csb1,
    stack.inDir(
      `docker compose rm -s -f ${service}   # plan: docker compose down (here that would stop Traefik and every neighbour)`,
    ),
  )
  plan.command(
    csb1,
    `remove service ${service} from ${inv.dashboard.compose_dir}/docker-compose.yml   # old file kept`,
  )
  plan.command(csb1, stack.inCheckout(V2_ADDED_QUERY))
  plan.command(csb1, stack.inCheckout('git checkout <parent of the commit that added v2/>'))
  plan.command(
    csb1,
    `<newest ${pattern}> into ${database} in v1's volume (docker run of v1's image; what was there moved aside as .before-rollback-<time>)`,
  )
  plan.command(csb1, 'docker start <the v1 container phase 1 stopped>')
  return plan
}

/**
 * The v1 commit to return to. The plan says `git checkout HEAD~1 # or
 * specific v1 commit`; HEAD~1 is only right when v2 is exactly one commit
 * ahead, so the commit is found from history instead: the parent of the
 * first commit that added `v2/`.
 */
export async function v1Commit(stack: DashboardStack): Promise<{ commit: string; head: string }> {
  const { host } = stack
  const head = (
    await host.succeed(stack.inCheckout('git rev-parse HEAD'), { timeout: '30s' })
  ).trim()
  const added = (await host.succeed(stack.inCheckout(V2_ADDED_QUERY), { timeout: '30s' })).trim()
  if (!/^[0-9a-f]{40}$/.test(added))
    throw new HostError(
      host.name,
      `not rolling back: no commit adding v2/ in the history of ${stack.checkout} (HEAD ${head.slice(0, 7)}); cannot tell which commit is v1`,
    )
  const commit = (
    await host.succeed(stack.inCheckout(sh`git rev-parse ${`${added}^`}`), { timeout: '30s' })
  ).trim()
  return { commit, head }
}

export interface DashboardRollback {
  backup: VerifiedBackup
  v1: DashboardContainer
  from: string
  to: string
  /** Containers of the v2 service before it was removed (they must be gone afterwards). */
  v2Containers: string[]
  /** Where the database that was in v1's volume went, when it differed from the backup. */
  setAside: string[]
  /** sha256 of the database in v1's volume right after the restore, before v1 started. */
  restoredSha256: string
  ms: number
}

/**
 * Plan "Rollback Plan / If v2 Dashboard Fails", on csb1 as it is laid out:
 * the v2 service removed from the main stack (not `docker compose down`,
 * which there would stop Traefik and every neighbour) and from its compose
 * file; the checkout back at v1; the backup restored into v1's volume; the
 * v1 container phase 1 stopped started again (its image is still there, so
 * nothing is rebuilt). Everything that could stop it (no verified backup, no
 * v1 container, no v1 commit, local changes in the checkout) is checked
 * before v2 is touched. The database being replaced is moved aside, never
 * overwritten.
 */
export async function rollbackDashboard(fleet: Fleet): Promise<DashboardRollback> {
  const started = Date.now()
  const stack = dashboardStack(fleet)
  const { host } = stack
  const { database, service } = fleet.inventory.dashboard

  const backup = await verifiedBackup(stack)
  say(`${host.name}: backup ${backup.file} verified (sha256 ${backup.check.sha256.slice(0, 12)}…)`)
  const v1 = await stack.v1Container()
  if (!v1)
    throw new HostError(
      host.name,
      `not rolling back: no v1 container is left (none serves ${new URL(fleet.inventory.dashboard.url).hostname} outside ${stack.dir}); v2 was left as it is`,
    )
  const { volume, dir } = volumeFor(host.name, v1, database)
  const { commit, head } = await v1Commit(stack)
  const dirty = await stack.checkoutChanges()
  if (dirty)
    throw new HostError(
      host.name,
      `not rolling back: ${stack.checkout} has local changes git checkout would refuse or lose: ${dirty}`,
    )
  const file = `${stack.dir}/docker-compose.yml`
  const withoutV2 = withoutV2Service(await readMainCompose(stack), fleet.inventory, file)

  const v2Containers = await stack.serviceContainers()
  if (v2Containers.length) {
    await stack.compose(sh`rm -s -f ${service}`)
    say(`${host.name}: docker compose rm -s -f ${service} (${v2Containers.length} container(s))`)
  } else say(`${host.name}: no ${service} container in ${stack.dir}`)
  if (withoutV2 !== undefined)
    say(`${host.name}: ${await replaceMainCompose(stack, withoutV2, 'rollback')}`)
  if (head !== commit) {
    await host.succeed(stack.inCheckout(sh`git checkout --quiet ${commit} 2>&1`), { timeout: '2m' })
    say(`${host.name}: git checkout ${commit.slice(0, 7)} (from ${head.slice(0, 7)})`)
  } else say(`${host.name}: checkout already at the v1 commit ${commit.slice(0, 7)}`)

  const before = await volumeSha(stack, v1, volume, dir, database)
  let setAside: string[] = []
  if (before !== backup.check.sha256) {
    const stamp = (await host.succeed('date +%Y%m%d-%H%M%S', { timeout: '30s' })).trim()
    const out = await host.succeed(
      stack.inCheckout(
        `${v1Volume.restore(v1, volume, dir, database, stamp)} < ${sh`${backup.file}`}`,
      ),
      { timeout: '5m' },
    )
    setAside = out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
    if (setAside.length) say(`${host.name}: set aside in ${volume}: ${setAside.join(', ')}`)
  }
  const restoredSha256 = await volumeSha(stack, v1, volume, dir, database)
  if (restoredSha256 !== backup.check.sha256)
    throw new HostError(
      host.name,
      `${volume}:${database} after the restore has sha256 ${restoredSha256.slice(0, 12) || 'none'}…, the backup ${backup.check.sha256.slice(0, 12)}…; v1 not started`,
    )
  say(`${host.name}: ${backup.file} restored into ${volume}:${database}`)

  await host.succeed(sh`docker start ${v1.id}`, { timeout: '2m' })
  await waitV1LoginPage(fleet, '3m')
  const ms = Date.now() - started
  say(
    `${host.name}: dashboard rolled back to v1 in ${formatMs(ms)} (plan target: under ${formatMs(DASHBOARD_ROLLBACK_TARGET_MS)})`,
  )
  return { backup, v1, from: head, to: commit, v2Containers, setAside, restoredSha256, ms }
}

/** sha256 of the database in v1's volume ('' when absent). */
export async function volumeSha(
  stack: DashboardStack,
  v1: DashboardContainer,
  volume: string,
  dir: string,
  database: string,
): Promise<string> {
  const out = await stack.host.succeed(v1Volume.sha256(v1, volume, dir, database), {
    timeout: '1m',
  })
  return /^([0-9a-f]{64})/.exec(out.trim())?.[1] ?? ''
}

/** The v1 login page served at the dashboard's URL (the front routes to v1 once its health check has passed). */
export async function waitV1LoginPage(fleet: Fleet, timeout: '3m' | '1m'): Promise<string> {
  const client = dashboardClient(fleet.target, fleet.inventory.dashboard.url)
  try {
    return await poll(
      `${fleet.inventory.dashboard.url}/login served by v1`,
      async () => {
        const login = await client.http('GET', '/login')
        if (login.status !== 200 || !login.body.includes('NixFleet'))
          throw new Error(`/login answers HTTP ${login.status}`)
        // v1 has no /ws (404); v2 answers 401 there.
        const ws = await client.http('GET', '/ws')
        if (ws.status !== 404)
          throw new Error(`/ws answers HTTP ${ws.status}: that is not the v1 dashboard (v1: 404)`)
        return `/login HTTP 200, /ws HTTP 404`
      },
      { timeout, interval: '2s' },
    )
  } finally {
    await client.close()
  }
}
