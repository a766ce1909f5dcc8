import { execFileSync, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { CACHE, imageExists as dockerImageExists } from '../../docker/build-images.ts'
import { changedInputs, snapshotKey, type SnapshotInputs } from './snapshot-inputs.ts'

/**
 * A saved fleet state: each machine's disk as an image (`docker commit` of the
 * stopped machine), csb1's inner Docker data, and the rehearsal's per-run
 * material (keys, CA, secrets, known_hosts, the operator's working copy, the
 * runbook's ledger), so that a fleet started from it is consistent with it.
 * Kept under the image cache, one directory per state and inputs.
 */
export const SNAPSHOTS = process.env.RUNBOOK_SNAPSHOTS_DIR ?? join(CACHE, 'snapshots')
/** Older snapshots are removed (their images too); each is a few hundred MB. */
const KEEP = 4

export interface SnapshotManifest {
  state: string
  key: string
  inputs: SnapshotInputs
  createdAt: string
  /** The runbook commit it was made with (for people; the inputs decide reuse). */
  runbookCommit: string
  /** Machine (and gateway) name → the image holding its disk. */
  images: Record<string, string>
  /** Machine name → the containers its inner Docker engine was running (csb1). */
  innerRunning: Record<string, string[]>
}

export interface Snapshot {
  dir: string
  manifest: SnapshotManifest
  /** The rehearsal's state directory as it was. */
  material: string
  /** csb1's inner Docker data directory, by machine name. */
  innerDocker: (machine: string) => string
}

const dirOf = (state: string, key: string, root: string): string => join(root, `${state}-${key}`)
const COMPLETE = '.complete'

function open(dir: string): Snapshot {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as SnapshotManifest
  return {
    dir,
    manifest,
    material: join(dir, 'material'),
    innerDocker: (m) => join(dir, `${m}-docker`),
  }
}

export type Lookup = { found: Snapshot } | { found: undefined; refused: string[] } // why each existing snapshot of the state is not used

/**
 * The snapshot of `state` made from exactly these inputs, or why none is
 * usable: an incomplete one, one made from other inputs (named), or one
 * whose machine images are gone.
 */
export function findSnapshot(
  state: string,
  inputs: SnapshotInputs,
  root = SNAPSHOTS,
  imageExists: (tag: string) => boolean = dockerImageExists,
): Lookup {
  const refused: string[] = []
  const candidates = existsSync(root)
    ? readdirSync(root).filter((d) => d.startsWith(`${state}-`) && !d.endsWith('.partial'))
    : []
  for (const d of candidates) {
    const dir = join(root, d)
    if (!existsSync(join(dir, COMPLETE)) || !existsSync(join(dir, 'manifest.json'))) {
      refused.push(`${d}: incomplete (its saving was interrupted)`)
      continue
    }
    const s = open(dir)
    const changed = changedInputs(s.manifest.inputs, inputs)
    if (changed.length) {
      refused.push(
        `${d}: made from other inputs (changed since: ${changed.join('; ')}; made with runbook ${s.manifest.runbookCommit.slice(0, 12)})`,
      )
      continue
    }
    const missing = Object.values(s.manifest.images).filter((t) => !imageExists(t))
    if (missing.length) {
      refused.push(`${d}: its machine images are gone (${missing.join(', ')})`)
      continue
    }
    return { found: s }
  }
  return { found: undefined, refused }
}

export interface SaveSources {
  state: string
  inputs: SnapshotInputs
  /** Name → container id; every container must be stopped. */
  containers: Record<string, string>
  /** The rehearsal's state directory. */
  material: string
  /** Machine name → its inner Docker data directory. */
  innerDocker: Record<string, string>
  /** Machine name → the containers its inner engine was running before the machine stopped. */
  innerRunning: Record<string, string[]>
  runbookCommit: string
}

/**
 * Saves stopped machines as a snapshot. Written beside its place and renamed
 * in when complete, so an interrupted save is never taken for a snapshot.
 */
export function saveSnapshot(s: SaveSources, root = SNAPSHOTS): Snapshot {
  const key = snapshotKey(s.state, s.inputs)
  const dir = dirOf(s.state, key, root)
  const staging = `${dir}.partial`
  rmSync(staging, { recursive: true, force: true })
  mkdirSync(staging, { recursive: true })
  const images: Record<string, string> = {}
  for (const [name, id] of Object.entries(s.containers)) {
    const tag = `runbook-snapshot-${name}:${s.state}-${key}`
    execFileSync('docker', ['commit', '--pause=false', id, tag], { stdio: 'ignore' })
    images[name] = tag
  }
  // The per-run state file names this run's containers; a fleet from the snapshot writes its own.
  execFileSync('cp', ['-a', s.material, join(staging, 'material')])
  rmSync(join(staging, 'material', 'state.json'), { force: true })
  for (const [machine, data] of Object.entries(s.innerDocker))
    execFileSync('cp', ['-a', data, join(staging, `${machine}-docker`)])
  const manifest: SnapshotManifest = {
    state: s.state,
    key,
    inputs: s.inputs,
    createdAt: new Date().toISOString(),
    runbookCommit: s.runbookCommit,
    images,
    innerRunning: s.innerRunning,
  }
  writeFileSync(join(staging, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n')
  writeFileSync(join(staging, COMPLETE), manifest.createdAt + '\n')
  rmSync(dir, { recursive: true, force: true })
  renameSync(staging, dir)
  prune(root)
  return open(dir)
}

/** Keeps the newest snapshots; removes the others with their images. */
function prune(root: string): void {
  const all = readdirSync(root)
    .map((d) => join(root, d))
    .filter((d) => statSync(d).isDirectory())
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
  for (const dir of all.slice(KEEP)) {
    if (existsSync(join(dir, 'manifest.json'))) {
      const tags = Object.values(open(dir).manifest.images)
      spawnSync('docker', ['rmi', ...tags], { stdio: 'ignore' })
    }
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Marks a snapshot as just used, so pruning keeps the ones in use. */
export function touchSnapshot(s: Snapshot): void {
  const now = new Date()
  utimesSync(s.dir, now, now)
}
