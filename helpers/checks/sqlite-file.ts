import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Host } from '../hosts/host.ts'

export interface SqliteCheck {
  sha256: string
  bytes: number
  integrity: string
  tables: string[]
  /** Rows per table, for comparing a restored database with its backup. */
  rowCounts: Record<string, number>
}

/**
 * Reads a SQLite file from a host and checks it here with the real SQLite
 * (better-sqlite3): csb1 need not have the sqlite3 tool. The bytes are kept
 * out of the transcript (a dashboard database holds session tokens).
 */
export async function checkRemoteSqlite(host: Host, command: string): Promise<SqliteCheck> {
  const b64 = await host.succeed(command, { timeout: '5m', unrecordedStdout: true })
  const bytes = Buffer.from(b64.replace(/\s+/g, ''), 'base64')
  const dir = mkdtempSync(join(tmpdir(), 'runbook-sqlite-'))
  try {
    const file = join(dir, 'copy.db')
    writeFileSync(file, bytes)
    const db = new Database(file, { readonly: true, fileMustExist: true })
    try {
      const rows = db.pragma('integrity_check') as { integrity_check: string }[]
      const tables = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
          name: string
        }[]
      ).map((t) => t.name)
      const rowCounts: Record<string, number> = {}
      for (const t of tables) {
        // Table names come from sqlite_master of this copy; quoted as identifiers.
        const row = db.prepare(`SELECT count(*) AS n FROM "${t.replace(/"/g, '""')}"`).get() as {
          n: number
        }
        rowCounts[t] = row.n
      }
      return {
        rowCounts,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes: bytes.length,
        integrity: rows.map((r) => r.integrity_check).join('; '),
        tables,
      }
    } finally {
      db.close()
    }
  } catch (err) {
    throw new Error(
      `${host.name}: the copy read by \`${command}\` is not a readable SQLite database: ${(err as Error).message}`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
