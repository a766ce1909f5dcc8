import { describe, expect, inject, it } from 'vitest'
import { judgeRun } from '../expect-run.ts'
import { recordScenario } from '../matrix-table.ts'
import { readResults, rehearsalSecrets, reportProblems } from '../report-checks.ts'
import { inventoryWithPins } from '../pinned-inventory.ts'
import { runRunbook, type RunbookRun } from '../run-runbook.ts'
import { rerunAfterMending } from '../rerun-after-mending.ts'
import { fleetDown } from '../../world/fleet-lifecycle.ts'
import { readTranscript } from '../../../helpers/transcript/transcript.ts'
import { PHASE1_ITEMS, scenarioSetup, selectScenarios, type Scenario } from '../scenarios.ts'

/**
 * The fault matrix (`scenarios.ts`): each scenario's specs run in a child
 * process on a fresh fleet under its faults; the JSON report is judged, the
 * matrix table in the matrix's report folder is updated, and the run's
 * sign-off report is opened in Chromium and searched for the run's secrets.
 * Scenarios can be picked by id: `SCENARIOS=phase1-partial npm run rehearse:faults`.
 */
describe('the fault matrix', () => {
  for (const s of selectScenarios(process.env.SCENARIOS)) {
    it(`${s.id} (${scenarioSetup(s)}): ${s.why}`, async () => {
      const run = await runRunbook({
        specs: s.specs,
        env: {
          REHEARSAL_FAULTS: s.faults,
          ...(s.startAs ? { REHEARSAL_START_AS: s.startAs } : {}),
          ...(s.pins ? { FLEET_INVENTORY: inventoryWithPins(s.pins) } : {}),
          // A re-run follows on the same fleet: kept, and removed here at the end.
          ...(s.thenRerun ? { REHEARSAL_KEEP: '1' } : {}),
        },
        timeoutMs: s.timeoutMs,
      })
      try {
        await judgeScenario(s, run)
        if (s.thenRerun) {
          const again = await rerunAfterMending(s, run)
          // Its own column and time: it is part of the scenario's cost, and every check passed.
          recordScenario(
            inject('faultMatrixFolder'),
            {
              ...s,
              id: `${s.id}-rerun`,
              faults: `${s.faults} mended`,
              expect: { ...s.expect, fail: [] },
            },
            again,
          )
        }
      } finally {
        if (s.thenRerun) fleetDown()
      }
    })
  }
})

/** The scenario's verdict on its run, and the run's sign-off report as a person opens it. */
async function judgeScenario(s: Scenario, run: RunbookRun): Promise<void> {
  const table = recordScenario(inject('faultMatrixFolder'), s, run)
  process.stderr.write(`fault matrix: ${table}\n`)
  const problems = judgeRun(run, s.expect)
  expect(
    problems,
    `${problems.join('\n')}\n--- runbook output (tail) ---\n${run.output.slice(-3000)}`,
  ).toEqual([])

  // The sign-off report of that run, as a person opens it.
  if (!run.folder) throw new Error(`the run printed no report folder:\n${run.output.slice(-2000)}`)
  const report = await reportProblems(run.folder, rehearsalSecrets())
  expect(report.problems).toEqual([])
  const results = readResults(run.folder)
  for (const f of s.expect.fail) {
    const shown = report.checkboxes.find((c) => c.text === f.check)
    if (shown) expect(shown.status, `${f.check} on the sign-off page`).toMatch(/failed/)
  }
  expect(results.checks.length).toBeGreaterThan(0)

  if (s.id === 'phase1-refused') {
    // Validate before acting: no commit was made, no host was touched.
    expect(run.output).not.toMatch(/nixcfg: committed|git pull --ff-only && sudo -n nixos-rebuild/)
    // Phase 2's refusal: no host was rebooted (the journal holds every command sent).
    const reboots = readTranscript(run.folder).filter((e) =>
      /systemctl reboot|shutdown -r/.test(e.command),
    )
    expect(reboots.map((e) => `${e.host}: ${e.command}`)).toEqual([])
    for (const item of PHASE1_ITEMS)
      expect(report.checkboxes.find((c) => c.text === item)?.status, item).toMatch(/failed/)
  }
}
