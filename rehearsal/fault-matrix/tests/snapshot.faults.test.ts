import { describe, expect, it } from 'vitest'
import { readTranscript } from '../../../helpers/transcript/transcript.ts'
import { runRunbook, type RunbookRun } from '../run-runbook.ts'
import { PHASE1_ITEMS } from '../scenarios.ts'

const statuses = (r: RunbookRun): Record<string, string> =>
  Object.fromEntries([...r.checks.values()].map((c) => [c.title, c.status]))

/**
 * Commands that would change a host or nixcfg (a re-run on a done phase sends
 * none): a switch, a commit or push, v1's stop, its backup or its archive.
 */
const changes = (r: RunbookRun): string[] => {
  expect(r.folder, r.output.slice(-2000)).toBeDefined()
  return readTranscript(r.folder!)
    .filter((e) => e.outcome === 'started')
    .filter((e) =>
      /(nixos-rebuild|home-manager) switch|git .*(commit|push)|docker stop|\.backup\(|cp -a /.test(
        e.command,
      ),
    )
    .map((e) => `${e.host}: ${e.command}`)
}

describe('a fleet started from a snapshot is the fleet the runbook brings to that state', () => {
  it('phase1-done: every check judges a fleet from the snapshot as it judges one the phase 1 runbook brought there', async () => {
    // The reference: a cold fleet brought to phase1-done by the phase 1 runbook, no snapshot used or saved.
    const byRunbook = await runRunbook({
      specs: ['specs/phase1'],
      env: { REHEARSAL_START_AS: 'phase1-done', REHEARSAL_SNAPSHOTS: '0' },
      timeoutMs: 15 * 60_000,
    })
    expect(byRunbook.output).toMatch(/bringing the fleet to "phase1-done" with the phase 1 runbook/)
    expect(byRunbook.output).not.toMatch(/from snapshot/)

    const fromSnapshot = await runRunbook({
      specs: ['specs/phase1'],
      env: { REHEARSAL_START_AS: 'phase1-done' },
      timeoutMs: 15 * 60_000,
    })
    expect(fromSnapshot.output).toMatch(
      /rehearsal fleet up in .* from snapshot phase1-done-\w{12}\)/,
    )

    const tail = `--- from the snapshot ---\n${fromSnapshot.output.slice(-2500)}`
    expect(statuses(fromSnapshot), tail).toEqual(statuses(byRunbook))
    for (const item of PHASE1_ITEMS)
      expect(fromSnapshot.checks.get(item)?.status, `${item}\n${tail}`).toBe('passed')
    // Both judged a done phase: nothing switched, committed or stopped again.
    expect(changes(byRunbook)).toEqual([])
    expect(changes(fromSnapshot)).toEqual([])
  })
})
