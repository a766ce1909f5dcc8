import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseDocument } from 'yaml'
import { hashTree } from '../../helpers/cache/hash-tree.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * What a fleet state is made of: the machines' images, the code that brought
 * the fleet there (the runbook, the simulated world and its fixtures), and
 * the inventory the runbook ran with. A snapshot is reused only when all of
 * them hash the same as now; a different runbook or world never starts from it.
 */
export const SNAPSHOT_SOURCES = [
  'helpers',
  'specs',
  'rehearsal/world',
  'fixtures',
  'docker',
  'package-lock.json',
] as const

export interface SnapshotInputs {
  /** The machine images' tags (each carries the hash of what it is built from). */
  images: string
  /** The runbook, the simulated world and its fixtures, as files. */
  sources: string
  /** The inventory as the runbook read it on the way to the state (see STATE_IGNORES). */
  inventory: string
}

const sha = (data: string | Buffer): string =>
  createHash('sha256').update(data).digest('hex').slice(0, 16)

/**
 * Inventory fields a state does not depend on, so scenarios that differ only
 * there share one snapshot. phase1-done: the v2 pins (the agents' nixfleet
 * revision, the dashboard's revision) are what phase 2 moves to; phase 1
 * reads the agents' pin only to refuse running once nixcfg's flake.lock is
 * already on it, and on the way to phase1-done the lock is v1 whatever the
 * v2 pin (the nixcfg fixture's flake.lock).
 */
export const STATE_IGNORES: Record<string, string[][]> = {
  'phase1-done': [
    ['nixcfg', 'nixfleet_v2_rev'],
    ['dashboard', 'revision'],
  ],
}

/** The inventory's text without the fields `state` does not depend on. */
export function inventoryForState(text: string, state: string): string {
  const ignored = STATE_IGNORES[state] ?? []
  if (!ignored.length) return text
  const doc = parseDocument(text)
  for (const path of ignored) doc.deleteIn(path)
  return doc.toString()
}

export function snapshotInputs(
  images: Record<string, string>,
  inventoryFile: string,
  root = ROOT,
  state = 'initial',
): SnapshotInputs {
  const h = createHash('sha256')
  for (const s of SNAPSHOT_SOURCES) if (existsSync(join(root, s))) hashTree(h, join(root, s), root)
  return {
    images: sha(JSON.stringify(Object.entries(images).sort())),
    sources: h.digest('hex').slice(0, 16),
    inventory: sha(inventoryForState(readFileSync(inventoryFile, 'utf8'), state)),
  }
}

/** The key a snapshot of `state` is stored under: every input's hash, and the state's name. */
export function snapshotKey(state: string, inputs: SnapshotInputs): string {
  return sha(JSON.stringify([state, inputs.images, inputs.sources, inputs.inventory])).slice(0, 12)
}

/** Which inputs differ, named as an operator would look for them. */
export function changedInputs(made: SnapshotInputs, now: SnapshotInputs): string[] {
  const names: Record<keyof SnapshotInputs, string> = {
    images: 'machine images',
    sources: `runbook or world sources (${SNAPSHOT_SOURCES.join(', ')})`,
    inventory: 'inventory',
  }
  return (Object.keys(names) as (keyof SnapshotInputs)[])
    .filter((k) => made[k] !== now[k])
    .map((k) => names[k])
}
