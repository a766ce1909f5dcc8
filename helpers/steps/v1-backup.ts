import { HostError } from '../hosts/errors.ts'
import { sh } from '../shell/quote.ts'
import type { DashboardStack } from './dashboard-stack.ts'

export interface BackupResult {
  database: string
  backup: string
  sha256: string
  action: 'copied' | 'already-backed-up'
  note: string
}

/** Plan §1.2's copy as the plan types it, with the host's own date. */
export function backupCommand(database: string, pattern: string): string {
  return sh`cp -- ${database} ${pattern.replace('{date}', '$(date +%Y%m%d)')}`
}

/**
 * Plan §1.2: `cp data/nixfleet.db data/nixfleet.db.v1-backup-$(date +%Y%m%d)`,
 * with csb1's own date, once the stack is down. Never overwrites: a backup
 * with the same content (any date) means the work is done; a different file
 * under today's name stops with both checksums. A database with a pending
 * write-ahead log is refused (the copy would miss committed data).
 */
export async function backUpV1Database(stack: DashboardStack): Promise<BackupResult> {
  const { host } = stack
  const { database, backup: pattern } = stack.inventory.dashboard
  if ((await stack.runningIds()).length)
    throw new HostError(
      host.name,
      `the stack in ${stack.dir} is still running; not copying a live database`,
    )
  const wal = await host.run(stack.inDir(sh`test -s ${`${database}-wal`}`), { timeout: '30s' })
  if (wal.exitCode === 0)
    throw new HostError(
      host.name,
      `${stack.dir}/${database}-wal is not empty after the stack stopped: the database was not checkpointed; not copying it`,
    )
  const date = (await host.succeed('date +%Y%m%d', { timeout: '30s' })).trim()
  const backup = pattern.replace('{date}', date)
  const existing = await stack.backups()
  const sums = await stack.checksums([database, ...existing])
  const dbSum = sums.get(database)
  if (!dbSum)
    throw new HostError(
      host.name,
      `database ${stack.dir}/${database} not found; nothing to back up`,
    )
  const same = existing.find((f) => sums.get(f) === dbSum)
  if (same)
    return {
      database,
      backup: same,
      sha256: dbSum,
      action: 'already-backed-up',
      note: `database already backed up as ${same} (same sha256): not copied again`,
    }
  if (existing.includes(backup))
    throw new HostError(
      host.name,
      `${backup} exists with different content (sha256 ${sums.get(backup)?.slice(0, 12)}…, database ${dbSum.slice(0, 12)}…); not overwriting it`,
    )
  await host.succeed(stack.inDir(sh`cp -- ${database} ${backup}`), { timeout: '5m' })
  return {
    database,
    backup,
    sha256: dbSum,
    action: 'copied',
    note: `cp ${database} ${backup} (sha256 ${dbSum.slice(0, 12)}…)`,
  }
}
