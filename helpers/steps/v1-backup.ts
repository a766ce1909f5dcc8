import { checkRemoteSqlite, type SqliteCheck } from '../checks/sqlite-file.ts'
import { HostError } from '../hosts/errors.ts'
import { sh } from '../shell/quote.ts'
import type { DashboardStack } from './dashboard-stack.ts'
import { describeContainer, volumeFor, type DashboardContainer } from './v1-container.ts'
import { v1Volume } from './v1-volume.ts'

export interface BackupResult {
  /** Where the database lives: `<volume>:<path in the container>`. */
  database: string
  /** The backup, relative to the nixfleet checkout (the plan's name). */
  backup: string
  sha256: string
  /** Rows per table, equal in the source and the backup. */
  rowCounts: Record<string, number>
  action: 'backed-up' | 'already-backed-up'
  note: string
}

/** What plan mode shows for the backup (the image and volume are found on csb1 first). */
export function backupCommand(stack: DashboardStack): string {
  const { database, backup } = stack.inventory.dashboard
  return stack.inCheckout(
    `docker run --rm -i --network none -v <v1's volume at ${database.replace(/\/[^/]*$/, '')}> --entrypoint python3 <v1's image> -c '<sqlite3 backup of ${database}>' > ${backup.replace('{date}', '$(date +%Y%m%d)')}`,
  )
}

/**
 * Plan §1.2's backup, where the database really is: SQLite's own backup of
 * v1's database in its named volume (not `cp` of a live file: the plan's
 * `data/nixfleet.db` does not exist on csb1), written under the plan's name
 * in the nixfleet checkout with csb1's date. v1 must be stopped. The copy is
 * read back and must pass SQLite's integrity check with every table's row
 * count equal to the source's; only then does it take its name. The newest
 * backup, of whatever date, that matches is kept (a re-run the next day takes
 * no second one); today's that does not match is never overwritten.
 */
export async function backUpV1Database(
  stack: DashboardStack,
  v1: DashboardContainer,
): Promise<BackupResult> {
  const { host } = stack
  const { database, backup: pattern } = stack.inventory.dashboard
  if (v1.running)
    throw new HostError(
      host.name,
      `${describeContainer(v1)} is running; not backing up a live database`,
    )
  const { volume, dir } = volumeFor(host.name, v1, database)
  const where = `${volume}:${database}`
  const source = await sourceCounts(stack, v1, volume, dir, database)
  const date = (await host.succeed('date +%Y%m%d', { timeout: '30s' })).trim()
  const backup = pattern.replace('{date}', date)

  // The newest backup of any date: a phase 1 resumed on a later day (v1
  // stopped since, so its data unchanged) must not back up a second time, and
  // a rollback restores the newest, so that is the one that must match.
  const backups = await stack.backups()
  const newest = backups.at(-1)
  if (newest) {
    const check = await verifyBackup(stack, newest, source, where)
    if (check.ok)
      return {
        database: where,
        backup: newest,
        sha256: check.check.sha256,
        rowCounts: source,
        action: 'already-backed-up',
        note: `${newest} already holds ${where} (integrity ok, row counts equal): not backed up again`,
      }
    if (backups.includes(backup)) {
      const why =
        newest === backup
          ? check.why
          : `it is not the newest backup, ${newest} is, and that does not match: ${check.why}`
      throw new HostError(
        host.name,
        `${backup} exists and does not match ${where} (${why}); not overwriting it`,
      )
    }
  }

  const partial = `${backup}.partial`
  await host.succeed(
    stack.inCheckout(
      `mkdir -p ${sh`${posixDir(backup)}`} && ${v1Volume.backup(v1, volume, dir, database)} > ${sh`${partial}`}`,
    ),
    { timeout: '5m' },
  )
  const check = await verifyBackup(stack, partial, source, where)
  if (!check.ok) {
    await host.run(stack.inCheckout(sh`rm -f -- ${partial}`), { timeout: '30s' })
    throw new HostError(host.name, `the backup of ${where} failed its check: ${check.why}`)
  }
  await host.succeed(stack.inCheckout(sh`mv -n -- ${partial} ${backup}`), { timeout: '30s' })
  return {
    database: where,
    backup,
    sha256: check.check.sha256,
    rowCounts: source,
    action: 'backed-up',
    note: `SQLite backup of ${where} to ${stack.checkout}/${backup} (sha256 ${check.check.sha256.slice(0, 12)}…, ${describeCounts(source)})`,
  }
}

const posixDir = (p: string): string => (p.includes('/') ? p.replace(/\/[^/]*$/, '') : '.')

export function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ')
}

/** Rows per table of the database in v1's volume, counted by SQLite in v1's image. */
export async function sourceCounts(
  stack: DashboardStack,
  v1: DashboardContainer,
  volume: string,
  dir: string,
  database: string,
): Promise<Record<string, number>> {
  const out = await stack.host.run(v1Volume.counts(v1, volume, dir, database), { timeout: '2m' })
  if (out.exitCode !== 0)
    throw new HostError(
      stack.host.name,
      `cannot read ${volume}:${database} with v1's image: ${(out.stderr || out.stdout).trim().split('\n').slice(-2).join(' | ')}`,
    )
  return JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>
}

/** A backup file in the checkout, read back here: sha256 as on csb1, integrity ok, row counts as the source's. */
export async function verifyBackup(
  stack: DashboardStack,
  file: string,
  source: Record<string, number>,
  where: string,
): Promise<{ ok: true; check: SqliteCheck } | { ok: false; why: string }> {
  const sums = await stack.checksums([file])
  let check: SqliteCheck
  try {
    check = await checkRemoteSqlite(stack.host, stack.inCheckout(sh`base64 < ${file}`))
  } catch (err) {
    return { ok: false, why: (err as Error).message }
  }
  if (check.sha256 !== sums.get(file))
    return { ok: false, why: `the bytes of ${file} read back differ from its sha256 on the host` }
  if (check.integrity !== 'ok')
    return { ok: false, why: `PRAGMA integrity_check on ${file} says ${check.integrity}` }
  const differ = Object.keys({ ...source, ...check.rowCounts }).filter(
    (t) => source[t] !== check.rowCounts[t],
  )
  if (differ.length)
    return {
      ok: false,
      why: `rows per table differ from ${where}: ${differ.map((t) => `${t} ${check.rowCounts[t] ?? 'absent'} (source ${source[t] ?? 'absent'})`).join(', ')}`,
    }
  return { ok: true, check }
}
