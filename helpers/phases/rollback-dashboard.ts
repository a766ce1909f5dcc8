import type { Fleet } from '../fleet/fleet.ts'
import { checkRemoteSqlite, type SqliteCheck } from '../checks/sqlite-file.ts'
import { dashboardClient } from '../dashboard/dashboard-access.ts'
import { HostError } from '../hosts/errors.ts'
import { say } from '../output/say.ts'
import { sh } from '../shell/quote.ts'
import { DashboardStack } from '../steps/dashboard-stack.ts'
import { PhasePlan } from '../plan/phase-plan.ts'
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
  if (!file) return refuse(`no v1 database backup (${pattern}*) in ${stack.dir}`)
  const sums = await stack.checksums([file])
  let check: SqliteCheck
  try {
    check = await checkRemoteSqlite(host, stack.inDir(sh`base64 < ${file}`))
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
  const { database, backup } = inv.dashboard
  const pattern = backup.replace('{date}', '*')
  const plan = new PhasePlan('Rollback: v2 dashboard')
  plan.note(csb1, `refuses unless the newest ${pattern} is a verified SQLite v1 database`)
  plan.command(csb1, stack.inDir(V2_ADDED_QUERY))
  plan.command(csb1, stack.inDir('docker compose down'))
  plan.command(csb1, stack.inDir('git checkout <parent of the commit that added v2/>'))
  plan.command(
    csb1,
    stack.inDir(sh`mv -n -- ${database} ${`${database}.before-rollback-<time>`}`) +
      '   # only when it differs from the backup',
  )
  plan.command(csb1, stack.inDir(`cp -- <newest ${pattern}> ${database}`))
  plan.command(csb1, stack.inDir('docker compose build'))
  plan.command(csb1, stack.inDir('docker compose up -d'))
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
  const head = (await host.succeed(stack.inDir('git rev-parse HEAD'), { timeout: '30s' })).trim()
  const added = (
    await host.succeed(stack.inDir(V2_ADDED_QUERY), {
      timeout: '30s',
    })
  ).trim()
  if (!/^[0-9a-f]{40}$/.test(added))
    throw new HostError(
      host.name,
      `not rolling back: no commit adding v2/ in the history of ${stack.dir} (HEAD ${head.slice(0, 7)}); cannot tell which commit is v1`,
    )
  const commit = (
    await host.succeed(stack.inDir(sh`git rev-parse ${`${added}^`}`), { timeout: '30s' })
  ).trim()
  return { commit, head }
}

export interface DashboardRollback {
  backup: VerifiedBackup
  from: string
  to: string
  /** Containers of the v2 stack before it was stopped (they must be gone afterwards). */
  v2Containers: string[]
  /** Where the database that was in place went, when it differed from the backup. */
  setAside: string[]
  /** sha256 of the database file right after the restore, before v1 started. */
  restoredSha256: string
  ms: number
}

/**
 * Plan "Rollback Plan / If v2 Dashboard Fails", on csb1 in the stack's
 * directory: docker compose down; git checkout <v1>; cp the backup over
 * data/nixfleet.db; docker compose build; docker compose up -d. Everything
 * that could stop it (no verified backup, no v1 commit, local changes in
 * the checkout) is checked before v2 is stopped. The database file being
 * replaced is moved aside, never overwritten.
 */
export async function rollbackDashboard(fleet: Fleet): Promise<DashboardRollback> {
  const started = Date.now()
  const stack = dashboardStack(fleet)
  const { host } = stack
  const { database } = fleet.inventory.dashboard

  const backup = await verifiedBackup(stack)
  say(`${host.name}: backup ${backup.file} verified (sha256 ${backup.check.sha256.slice(0, 12)}…)`)
  const { commit, head } = await v1Commit(stack)
  const dirty = (
    await host.succeed(stack.inDir('git status --porcelain --untracked-files=no'), {
      timeout: '30s',
    })
  ).trim()
  if (dirty)
    throw new HostError(
      host.name,
      `not rolling back: ${stack.dir} has local changes git checkout would refuse or lose: ${dirty.replace(/\n/g, ' | ')}`,
    )

  const v2Containers = (await stack.compose('ps -a -q', '1m'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[0-9a-f]{12,}$/.test(l))
  await stack.compose('down')
  say(`${host.name}: docker compose down (${v2Containers.length} container(s))`)
  if (head !== commit) {
    await host.succeed(stack.inDir(sh`git checkout --quiet ${commit} 2>&1`), { timeout: '2m' })
    say(`${host.name}: git checkout ${commit.slice(0, 7)} (from ${head.slice(0, 7)})`)
  } else say(`${host.name}: checkout already at the v1 commit ${commit.slice(0, 7)}`)

  const setAside = await setAsideDatabase(stack, database, backup.check.sha256)
  await host.succeed(stack.inDir(sh`cp -- ${backup.file} ${database}`), { timeout: '5m' })
  const restoredSha256 = (await stack.checksums([database])).get(database) ?? ''
  if (restoredSha256 !== backup.check.sha256)
    throw new HostError(
      host.name,
      `${database} after cp has sha256 ${restoredSha256.slice(0, 12) || 'none'}…, the backup ${backup.check.sha256.slice(0, 12)}…; v1 not started`,
    )
  say(`${host.name}: cp ${backup.file} ${database}`)

  await stack.compose('build', '15m')
  await stack.compose('up -d', '5m')
  await waitV1LoginPage(fleet, '3m')
  const ms = Date.now() - started
  say(
    `${host.name}: dashboard rolled back to v1 in ${formatMs(ms)} (plan target: under ${formatMs(DASHBOARD_ROLLBACK_TARGET_MS)})`,
  )
  return { backup, from: head, to: commit, v2Containers, setAside, restoredSha256, ms }
}

/**
 * Moves the database in place (and a leftover -wal/-shm, which would be
 * replayed into the restored file) aside under a time-stamped name, unless
 * it already equals the backup. Nothing is deleted.
 */
async function setAsideDatabase(
  stack: DashboardStack,
  database: string,
  backupSha: string,
): Promise<string[]> {
  const { host } = stack
  const files = [database, `${database}-wal`, `${database}-shm`]
  const sums = await stack.checksums(files)
  // checksums() leaves out missing files: what it read is what is there.
  const present = files.filter((f) => sums.has(f))
  const onlySameDb = present.length === 1 && sums.get(database) === backupSha
  if (!present.length || onlySameDb) return []
  const stamp = (await host.succeed('date +%Y%m%d-%H%M%S', { timeout: '30s' })).trim()
  const moved: string[] = []
  for (const f of present) {
    const to = `${f}.before-rollback-${stamp}`
    await host.succeed(stack.inDir(sh`mv -n -- ${f} ${to}`), { timeout: '1m' })
    moved.push(to)
  }
  say(`${host.name}: set aside ${moved.join(', ')}`)
  return moved
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
