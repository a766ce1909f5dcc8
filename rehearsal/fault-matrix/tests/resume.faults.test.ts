import { describe, expect, it } from 'vitest'
import { fleetDown } from '../../world/fleet-lifecycle.ts'
import { runRunbook } from '../run-runbook.ts'
import { reboots, switches } from '../transcript-commands.ts'

// Phase 1 continued after a failure on some hosts: the fault matrix's phase1-partial, mended and run again.
describe('a re-run continues where a run stopped, never repeating what is done', () => {
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
