import { describe, expect, it } from 'vitest'
import { loadInventory } from '../../../helpers/inventory/load-inventory.ts'
import { readTranscript, type TranscriptEntry } from '../../../helpers/transcript/transcript.ts'
import { revertFault } from '../../world/faults.ts'
import { remoteHead } from '../../world/remote-head.ts'
import { fleetDown } from '../../world/fleet-lifecycle.ts'
import { loadWorld } from '../../world/world.ts'
import { runRunbook, type RunbookRun } from '../run-runbook.ts'
import { PHASE1_ITEMS } from '../scenarios.ts'

/** The commands a run started, as its transcript journalled them. */
function commands(run: RunbookRun): TranscriptEntry[] {
  expect(run.folder, run.output.slice(-2000)).toBeDefined()
  return readTranscript(run.folder!).filter((e) => e.outcome === 'started')
}

const switches = (run: RunbookRun): string[] =>
  commands(run)
    .filter((e) => /(nixos-rebuild|home-manager) switch/.test(e.command))
    .map((e) => e.host)
    .sort()
/** Hosts rebooted: by the runbook's command, or by a person asked to (a Mac's restart). */
const reboots = (run: RunbookRun): string[] =>
  commands(run)
    .filter((e) => /systemctl reboot|shutdown -r|^PERSON STEP .*: restart /.test(e.command))
    .map((e) => e.host)

describe('a re-run continues where a run stopped, never repeating what is done', () => {
  it('phase 1 failed after its commit on one host: the re-run makes no new commit, switches only that host, takes no second backup', async () => {
    // The first run commits and pushes, then hsb1's rebuild fails; the fleet is kept.
    const first = await runRunbook({
      specs: ['specs/phase1'],
      env: { REHEARSAL_FAULTS: 'rebuild-fails:hsb1', REHEARSAL_KEEP: '1' },
      timeoutMs: 15 * 60_000,
    })
    try {
      const tail = first.output.slice(-3000)
      expect(first.checks.get('hsb1: v1 agent stopped')?.status, tail).toBe('failed')
      expect(first.checks.get('gpc0: v1 agent stopped')?.status, tail).toBe('passed')
      expect(first.checks.get('csb1: database backed up')?.status, tail).toBe('passed')
      const pushed = remoteHead('nixcfg')
      const hosts = loadInventory()
        .hosts.map((h) => h.name)
        .sort()
      expect(switches(first)).toEqual(hosts)

      // The operator mends hsb1 and runs the phase again on the same fleet.
      revertFault(loadWorld(), { name: 'rebuild-fails', host: 'hsb1' })
      const again = await runRunbook({
        specs: ['specs/phase1'],
        env: { REHEARSAL_KEEP: '1' },
        timeoutMs: 15 * 60_000,
      })
      const out = again.output.slice(-3000)
      expect(again.output).toMatch(/rehearsal: attaching to the fleet/)
      for (const item of PHASE1_ITEMS)
        expect(again.checks.get(item)?.status, `${item}\n${out}`).toBe('passed')
      expect(remoteHead('nixcfg'), 'the re-run must not make a new commit').toBe(pushed)
      const local = commands(again).filter((e) => e.host === 'local')
      expect(local.filter((e) => /git .*(commit|push)/.test(e.command))).toEqual([])
      expect(switches(again), 'only the host the first run did not switch').toEqual(['hsb1'])
      const csb1 = commands(again).filter((e) => e.host === 'csb1')
      // No second stop, backup or archive: v1 is stopped, its backup verified, its folder archived.
      expect(
        csb1.filter((e) => /docker stop|\.backup\(|cp -a /.test(e.command)).map((e) => e.command),
      ).toEqual([])
      expect(again.output).toMatch(
        /already holds .* \(integrity ok, row counts equal\): not backed up again/,
      )
    } finally {
      fleetDown()
    }
  })

  it('phase 2 run again after it succeeded: nothing is rebooted, every check still judged', async () => {
    const first = await runRunbook({
      specs: ['specs/phase2-deploy-v2'],
      env: { REHEARSAL_START_AS: 'phase1-done', REHEARSAL_KEEP: '1' },
      timeoutMs: 25 * 60_000,
    })
    try {
      const failed = [...first.checks.values()].filter((c) => c.status === 'failed')
      expect(
        failed.map((c) => `${c.title}: ${c.failure.slice(0, 300)}`),
        first.output.slice(-2000),
      ).toEqual([])
      expect(reboots(first).sort()).toEqual(['csb1', 'gpc0', 'mba-mbp-work'])

      const again = await runRunbook({
        specs: ['specs/phase2-deploy-v2'],
        env: { REHEARSAL_KEEP: '1' },
        timeoutMs: 25 * 60_000,
      })
      const failedAgain = [...again.checks.values()].filter((c) => c.status === 'failed')
      expect(
        failedAgain.map((c) => `${c.title}: ${c.failure.slice(0, 300)}`),
        again.output.slice(-2000),
      ).toEqual([])
      expect(reboots(again), 'a re-run after success reboots nothing').toEqual([])
      expect(again.checks.get('csb1 rebooted (new boot identity)')?.status).toBe('passed')
      expect(again.output).toMatch(
        /csb1 rebooted after dashboard container \w+ was deployed: already proven by run /,
      )
      expect(again.output).toMatch(/gpc0 rebooted after switching to nixcfg \w+: already proven/)
      expect(switches(again), 'no host is rebuilt again').toEqual([])
    } finally {
      fleetDown()
    }
  })
})
