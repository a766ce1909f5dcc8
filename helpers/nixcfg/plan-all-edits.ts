import { join } from 'node:path'
import type { HostSpec } from '../inventory/load-inventory.ts'

/**
 * Every host file's edit, planned before any is written: one file the
 * runbook must refuse stops them all, and the error lists every refusal by
 * host, so nothing is left half-done.
 */
export function planAllEdits<E>(dir: string, specs: HostSpec[], plan: (file: string) => E): E[] {
  const problems: string[] = []
  const edits = specs.flatMap((s) => {
    try {
      return [plan(join(dir, s.config_file))]
    } catch (err) {
      problems.push(`${s.name}: ${(err as Error).message}`)
      return []
    }
  })
  if (problems.length)
    throw new Error(`nixcfg: nothing was changed, because:\n${problems.join('\n')}`)
  return edits
}
