import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPORTS_DIR } from '../transcript/run-folder.ts'

/**
 * Agent starts already seen staying up during this run: per host (and
 * unit), the identity of that start (systemd's InvocationID; the boot
 * identity and PID on macOS). The same start still running later has been up
 * ever since, so a later check need not watch it again. Kept in the run's
 * folder so that later spec files of the same run know it too; outside a
 * runbook run (tests of the fleet) only in memory.
 */
const memory = new Map<string, string>()

function file(): string | undefined {
  const id = process.env.RUNBOOK_RUN_ID
  return id ? join(REPORTS_DIR, id, 'proven-stable.json') : undefined
}

function load(): Record<string, string> {
  const f = file()
  if (!f || !existsSync(f)) return Object.fromEntries(memory)
  try {
    return { ...(JSON.parse(readFileSync(f, 'utf8')) as Record<string, string>) }
  } catch {
    return Object.fromEntries(memory)
  }
}

export function provenStart(key: string): string | undefined {
  return load()[key] ?? memory.get(key)
}

export function recordProvenStart(key: string, start: string): void {
  memory.set(key, start)
  const f = file()
  if (f && existsSync(join(f, '..')))
    writeFileSync(f, JSON.stringify({ ...load(), [key]: start }, null, 2) + '\n')
}
