import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PLAN_CHECKLISTS } from '../../helpers/report/plan-checklists.ts'
import type { RunbookRun } from './run-runbook.ts'
import { scenarioSetup, type Scenario } from './scenarios.ts'

export interface ScenarioOutcome {
  id: string
  faults: string
  targeted: string[]
  status: Record<string, string>
  /** The scenario's wall time, its fleet's start included (read by `npm run bench`). */
  durationMs?: number
  fleet?: string
}

/**
 * The fault matrix as a table (checkbox × scenario), rewritten after each
 * scenario into the matrix's report folder: for a checkbox the scenario's
 * fault targets, "failed as expected" or "PASSED UNEXPECTEDLY"; for the
 * others, what the check did.
 */
export function recordScenario(folder: string, s: Scenario, run: RunbookRun): string {
  mkdirSync(folder, { recursive: true })
  const outcome: ScenarioOutcome = {
    id: s.id,
    faults: scenarioSetup(s),
    targeted: s.expect.fail.map((f) => f.check),
    status: Object.fromEntries([...run.checks.values()].map((c) => [c.title, c.status])),
    durationMs: run.durationMs,
    fleet: fleetStart(run.output),
  }
  const log = join(folder, 'scenarios.jsonl')
  appendFileSync(log, JSON.stringify(outcome) + '\n')
  const all = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ScenarioOutcome)
  const table = join(folder, 'fault-matrix.md')
  writeFileSync(table, renderTable(all))
  return table
}

/** How the run's fleet started, as the run printed it. */
function fleetStart(output: string): string {
  const up = /rehearsal fleet up in ([^\n]*)/.exec(output)?.[1]
  if (up) return up
  return /rehearsal: attaching to the fleet/.test(output)
    ? 'attached to the fleet the run before kept'
    : 'not started'
}

export function cell(o: ScenarioOutcome, item: string): string {
  const status = o.status[item]
  if (o.targeted.includes(item))
    return status === 'failed'
      ? 'failed as expected'
      : status === 'passed'
        ? '**PASSED UNEXPECTEDLY**'
        : `**${status ?? 'not run'}**`
  return status ?? '–'
}

function renderTable(all: ScenarioOutcome[]): string {
  const out = ['# Fault matrix', '']
  for (const o of all) out.push(`- **${o.id}**: \`${o.faults}\``)
  out.push('')
  for (const l of PLAN_CHECKLISTS) {
    out.push(`## ${l.title}`, '')
    out.push(`| checkbox | ${all.map((o) => o.id).join(' | ')} |`)
    out.push(`| --- | ${all.map(() => '---').join(' | ')} |`)
    for (const item of l.items)
      out.push(`| ${item} | ${all.map((o) => cell(o, item)).join(' | ')} |`)
    out.push('')
  }
  const uncovered = PLAN_CHECKLISTS.flatMap((l) => l.items).filter(
    (item) => !all.some((o) => o.targeted.includes(item) && o.status[item] === 'failed'),
  )
  out.push(
    uncovered.length
      ? `Not yet seen failing under a fault in this matrix run: ${uncovered.join('; ')}`
      : 'Every checkbox was seen failing under its fault.',
    '',
  )
  return out.join('\n')
}
