import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openFleet } from '../fleet/fleet.ts'
import { loadInventory } from '../inventory/load-inventory.ts'
import { runPhase1 } from '../phases/phase1.ts'
import { say } from '../output/say.ts'
import { targetAccess } from '../config/target-access.ts'
import { rehearsalChildEnv } from '../config/target.ts'
import { pointLatestAt } from '../transcript/run-folder.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * The states a rehearsal fleet can be started in, so one phase can be
 * rehearsed alone: `initial` (v1 everywhere, as before the plan),
 * `phase1-done` or `phase2-done`, each brought there by the runbook itself
 * (phase 1's actions; then phase 2's spec, every check passed), not by a
 * shortcut, so its state is exactly what the next phase meets in production.
 */
export const START_STATES = ['initial', 'phase1-done', 'phase2-done'] as const
export type StartState = (typeof START_STATES)[number]

/** Phase 2's spec run on the fleet (its reboots, person steps and waits): well inside this. */
const PHASE2_RUN_DEADLINE_MS = 30 * 60_000

export function parseStartAs(text: string | undefined): StartState {
  const v = text?.trim() || 'initial'
  if (!(START_STATES as readonly string[]).includes(v))
    throw new Error(`REHEARSAL_START_AS: unknown state "${v}" (known: ${START_STATES.join(', ')})`)
  return v as StartState
}

/**
 * Brings the running rehearsal fleet (just started, described in its state
 * file so a runbook run attaches to it) to `state` with the runbook.
 */
export async function bringTo(state: StartState): Promise<void> {
  if (state === 'initial') return
  await bringToPhase1Done()
  if (state === 'phase2-done') bringToPhase2Done()
}

async function bringToPhase1Done(): Promise<void> {
  say('rehearsal: bringing the fleet to "phase1-done" with the phase 1 runbook')
  const fleet = openFleet({
    target: 'rehearsal',
    inventory: loadInventory(),
    // The rehearsal describes itself before it asks for a start state (REHEARSAL_TARGET_FILE).
    ssh: targetAccess('rehearsal').ssh,
  })
  try {
    const r = await runPhase1(fleet)
    const failed = [...r.switches.values()].filter((o) => !o.ok)
    if (failed.length || 'error' in r.dashboard)
      throw new Error(
        `phase 1 did not complete on the fresh fleet: ${[
          ...failed.map((o) => (o.ok ? '' : `${o.host}: ${o.error.message}`)),
          'error' in r.dashboard ? `dashboard: ${r.dashboard.error.message}` : '',
        ]
          .filter(Boolean)
          .join('; ')}`,
      )
  } finally {
    await fleet.close()
  }
}

/**
 * Phase 2's actions live in its spec (each section's beforeAll), so the spec
 * itself is run, as an operator runs it, on the fleet: a run of its own (its
 * folder and sign-off in reports/), attached to this fleet and leaving it up.
 * Every check must pass; otherwise the state is not reached and nothing is saved.
 */
function bringToPhase2Done(): void {
  say('rehearsal: bringing the fleet to "phase2-done" with the phase 2 spec')
  const parentRun = process.env.RUNBOOK_RUN_ID
  const dir = mkdtempSync(join(tmpdir(), 'runbook-phase2-done-'))
  const report = join(dir, 'report.json')
  try {
    const env = rehearsalChildEnv({ REHEARSAL_KEEP: '1' })
    // The child attaches to this fleet: a start state or faults would make it start another.
    delete env.REHEARSAL_START_AS
    delete env.REHEARSAL_FAULTS
    delete env.RUNBOOK_RUN_ID
    const r = spawnSync(
      'npx',
      [
        'vitest',
        'run',
        '--project',
        'runbook',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${report}`,
        '--reporter=./helpers/report/signoff-reporter.ts',
        'specs/phase2-deploy-v2.spec.ts',
      ],
      { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'], timeout: PHASE2_RUN_DEADLINE_MS },
    )
    const failed = phase2Failures(report)
    if (r.error || failed.length)
      throw new Error(
        `phase 2 did not complete on the fleet (${r.error ? r.error.message : `exit ${r.status}`}): ${failed.join('; ') || 'no report'}`,
      )
  } finally {
    rmSync(dir, { recursive: true, force: true })
    // reports/latest stays the run that asked for the state.
    if (parentRun) pointLatestAt(parentRun)
  }
}

/** The checks of Vitest's JSON report that did not pass, each with the start of its reason. */
export function phase2Failures(reportFile: string): string[] {
  let json: {
    testResults: {
      assertionResults: { title: string; status: string; failureMessages: string[] }[]
    }[]
  }
  try {
    json = JSON.parse(readFileSync(reportFile, 'utf8')) as typeof json
  } catch {
    return ['its report could not be read']
  }
  const all = json.testResults.flatMap((f) => f.assertionResults)
  if (!all.length) return ['no check ran']
  return all
    .filter((a) => a.status !== 'passed')
    .map(
      (a) =>
        `${a.title}: ${a.status}${a.failureMessages[0] ? ` (${a.failureMessages[0].split('\n')[0]?.slice(0, 200)})` : ''}`,
    )
}
