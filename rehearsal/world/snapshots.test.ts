import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { snapshotInputs, snapshotKey, type SnapshotInputs } from './snapshot-inputs.ts'
import { DEFAULT_INVENTORY } from '../../helpers/inventory/load-inventory.ts'
import { inventoryWithPins } from '../fault-matrix/pinned-inventory.ts'
import { findSnapshot, type SnapshotManifest } from './snapshots.ts'

/** A checkout-like tree: the runbook's and the world's sources, and an inventory. */
function tree(): { root: string; inventory: string } {
  const root = mkdtempSync(join(tmpdir(), 'snapshot-inputs-'))
  for (const d of ['helpers', 'specs', 'rehearsal/world', 'fixtures', 'docker'])
    mkdirSync(join(root, d), { recursive: true })
  writeFileSync(join(root, 'helpers', 'phase1.ts'), 'export const step = 1\n')
  writeFileSync(join(root, 'fixtures', 'world.yaml'), 'version: 1\n')
  const inventory = join(root, 'fleet.yaml')
  writeFileSync(inventory, 'hosts: []\n')
  return { root, inventory }
}

const IMAGES = { nixos: 'runbook-nixos:aaaa', csb1: 'runbook-csb1:bbbb' }

/** A saved snapshot as `saveSnapshot` leaves it (its images are Docker's, looked up by tag). */
function writeSnapshot(
  root: string,
  state: string,
  inputs: SnapshotInputs,
  complete = true,
): string {
  const key = snapshotKey(state, inputs)
  const dir = join(root, `${state}-${key}`)
  mkdirSync(join(dir, 'material'), { recursive: true })
  const manifest: SnapshotManifest = {
    state,
    key,
    inputs,
    createdAt: '2026-11-30T06:00:00.000Z',
    runbookCommit: '1ec4307aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    images: { csb1: `runbook-snapshot-csb1:${state}-${key}` },
    innerRunning: { csb1: ['csb1_traefik_1'] },
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest))
  if (complete) writeFileSync(join(dir, '.complete'), '')
  return dir
}

describe('fleet snapshots are reused only for the inputs they were made from', () => {
  it('a change to the runbook, the world, the inventory or an image changes the inputs', () => {
    const t = tree()
    const before = snapshotInputs(IMAGES, t.inventory, t.root)
    expect(snapshotInputs(IMAGES, t.inventory, t.root)).toEqual(before)

    writeFileSync(join(t.root, 'helpers', 'phase1.ts'), 'export const step = 2\n')
    const runbookChanged = snapshotInputs(IMAGES, t.inventory, t.root)
    expect(runbookChanged.sources).not.toBe(before.sources)
    expect(runbookChanged.inventory).toBe(before.inventory)

    writeFileSync(join(t.root, 'fixtures', 'world.yaml'), 'version: 1\n# another world\n')
    expect(snapshotInputs(IMAGES, t.inventory, t.root).sources).not.toBe(runbookChanged.sources)

    writeFileSync(t.inventory, 'hosts: []\ndashboard: { revision: b860b3a }\n')
    expect(snapshotInputs(IMAGES, t.inventory, t.root).inventory).not.toBe(before.inventory)

    const otherImage = { ...IMAGES, csb1: 'runbook-csb1:cccc' }
    expect(snapshotInputs(otherImage, t.inventory, t.root).images).not.toBe(before.images)
  })

  it('finds the snapshot made from the same inputs', () => {
    const t = tree()
    const root = mkdtempSync(join(tmpdir(), 'snapshots-'))
    const inputs = snapshotInputs(IMAGES, t.inventory, t.root)
    const dir = writeSnapshot(root, 'phase1-done', inputs)
    const r = findSnapshot('phase1-done', inputs, root, () => true)
    expect(r.found?.dir).toBe(dir)
    expect(r.found?.manifest.innerRunning).toEqual({ csb1: ['csb1_traefik_1'] })
  })

  it('refuses a snapshot made by another runbook, naming what changed', () => {
    const t = tree()
    const root = mkdtempSync(join(tmpdir(), 'snapshots-'))
    writeSnapshot(root, 'phase1-done', snapshotInputs(IMAGES, t.inventory, t.root))
    writeFileSync(join(t.root, 'helpers', 'phase1.ts'), 'export const step = 2\n')
    const r = findSnapshot(
      'phase1-done',
      snapshotInputs(IMAGES, t.inventory, t.root),
      root,
      () => true,
    )
    expect(r.found).toBeUndefined()
    expect(r.found ? [] : r.refused).toEqual([
      expect.stringMatching(
        /^phase1-done-\w{12}: made from other inputs \(changed since: runbook or world sources .*; made with runbook 1ec4307aaaaa\)$/,
      ),
    ])
  })

  it('refuses one of another inventory, an incomplete one, and one whose images are gone', () => {
    const t = tree()
    const root = mkdtempSync(join(tmpdir(), 'snapshots-'))
    const inputs = snapshotInputs(IMAGES, t.inventory, t.root)
    writeSnapshot(root, 'phase1-done', { ...inputs, inventory: 'another' })
    const refusedFor = (lookup: ReturnType<typeof findSnapshot>): string[] =>
      lookup.found ? [] : lookup.refused
    expect(refusedFor(findSnapshot('phase1-done', inputs, root, () => true))).toEqual([
      expect.stringContaining('changed since: inventory;'),
    ])

    const other = mkdtempSync(join(tmpdir(), 'snapshots-'))
    writeSnapshot(other, 'phase1-done', inputs, false)
    expect(refusedFor(findSnapshot('phase1-done', inputs, other, () => true))).toEqual([
      expect.stringContaining('incomplete (its saving was interrupted)'),
    ])

    const gone = mkdtempSync(join(tmpdir(), 'snapshots-'))
    writeSnapshot(gone, 'phase1-done', inputs)
    expect(refusedFor(findSnapshot('phase1-done', inputs, gone, () => false))).toEqual([
      expect.stringMatching(
        /its machine images are gone \(runbook-snapshot-csb1:phase1-done-\w+\)/,
      ),
    ])
  })

  it('a snapshot of another state is never taken', () => {
    const t = tree()
    const root = mkdtempSync(join(tmpdir(), 'snapshots-'))
    const inputs = snapshotInputs(IMAGES, t.inventory, t.root)
    writeSnapshot(root, 'phase2-done', inputs)
    const r = findSnapshot('phase1-done', inputs, root, () => true)
    expect(r.found).toBeUndefined()
    expect(snapshotKey('phase1-done', inputs)).not.toBe(snapshotKey('phase2-done', inputs))
  })

  it('phase1-done is shared by inventories that differ only in the v2 pins; any other field makes another', () => {
    const t = tree()
    const day = inventoryWithPins({
      agents: '3999ab9856de35c21b00de9891ea44912c00e502',
      dashboard: '40a6392c56e5d51176692385132e560339e9859f',
    })
    const at = (file: string, state: string): string =>
      snapshotInputs(IMAGES, file, t.root, state).inventory
    expect(at(day, 'phase1-done')).toBe(at(DEFAULT_INVENTORY, 'phase1-done'))
    // Another state, or no state, reads the whole inventory.
    expect(at(day, 'phase2-done')).not.toBe(at(DEFAULT_INVENTORY, 'phase2-done'))
    expect(at(day, 'initial')).not.toBe(at(DEFAULT_INVENTORY, 'initial'))
    // A field phase 1 acts on (a host's checkout) is another phase1-done.
    const text = readFileSync(DEFAULT_INVENTORY, 'utf8')
    const other = join(t.root, 'other.yaml')
    writeFileSync(other, text.replace(/(checkout: )(\S+)/, '$1$2-elsewhere'))
    expect(readFileSync(other, 'utf8')).not.toBe(text)
    expect(at(other, 'phase1-done')).not.toBe(at(DEFAULT_INVENTORY, 'phase1-done'))
  })
})
