/**
 * The whole cost of a rehearsal, in one run, each figure beside the one the
 * previous run recorded (bench/figures.json): images checked, fleet up from
 * images and from the phase1-done snapshot, CPU and idle memory per machine,
 * each spec file and the main job's tests, and the fault matrix in total and
 * per scenario, and the faults project's other tests (resume, safety,
 * snapshot) each and in total. Prints figures; asserts nothing.
 *
 *   npm run bench                         # everything (the fault matrix takes most of it)
 *   BENCH_MATRIX=latest npm run bench     # the matrix's figures from its latest recorded run
 *   BENCH_MATRIX=skip npm run bench       # without the matrix
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { cpus, hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildImages } from '../docker/build-images.ts'
import { rehearsalChildEnv } from '../helpers/config/target.ts'
import { sleep } from '../helpers/time/duration.ts'
import type { ScenarioOutcome } from '../rehearsal/fault-matrix/matrix-table.ts'
import { runbookArgs } from '../rehearsal/fault-matrix/run-runbook.ts'
import { fleetDown, fleetUp } from '../rehearsal/world/fleet-lifecycle.ts'
import { formatFigure, readRecorded, record, type Figure } from './bench/figures.ts'
import { cpuSeconds, machineCpu, pssMiB, rehearsalContainers } from './bench/machine-usage.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const FILE = join(ROOT, 'bench', 'figures.json')
const matrixMode = process.env.BENCH_MATRIX ?? 'run'
if (!['run', 'latest', 'skip'].includes(matrixMode))
  throw new Error(`BENCH_MATRIX: "${matrixMode}" is not one of run, latest, skip`)

const previous = readRecorded(FILE)
const figures: Figure[] = []
const add = (f: Figure): void => {
  figures.push(f)
  process.stdout.write(formatFigure(f, previous) + '\n')
}
/** Runs `work` and adds its wall time as the figure `name`. */
async function timed<T>(name: string, work: () => Promise<T>, target?: string): Promise<T> {
  const started = Date.now()
  const result = await work()
  add({ name, value: Date.now() - started, unit: 'ms', ...(target ? { target } : {}) })
  return result
}
const section = (title: string): void => void process.stdout.write(`\n# ${title}\n`)
process.stdout.write(
  `benchmark on ${hostname()} (${cpus().length} cores); previous figures: ${previous ? `${previous.recordedAt} on ${previous.machine}` : 'none recorded'}\n`,
)

section('images and fleet')
await timed('images checked (all built)', buildImages)

fleetDown()
const cpuBefore = machineCpu()
// Cold: every machine's first boot from its image (no snapshot used, none saved).
await timed('fleet up from images', () => fleetUp({ snapshots: false }), '30 s')
const cpuAfter = machineCpu()
add({
  name: 'CPU busy during fleet up (all cores)',
  value: (100 * (cpuAfter.busy - cpuBefore.busy)) / (cpuAfter.total - cpuBefore.total),
  unit: '%',
})
const cpuAtUp = new Map(rehearsalContainers().map((c) => [c.name, cpuSeconds(c.id)]))
await sleep(15_000) // first-boot work settles before a machine is called idle
for (const c of rehearsalContainers()) {
  const cpu = cpuAtUp.get(c.name)
  if (cpu !== undefined) add({ name: `  ${c.name}: CPU until up`, value: cpu, unit: 's' })
  add({
    name: `  ${c.name}: idle memory (PSS)`,
    value: pssMiB(c.name),
    unit: 'MiB',
    target: '64 MiB',
  })
}

// The snapshots are made here if this checkout has none yet; the second start is the figure.
await timed('fleet up, first start (saves the initial snapshot if none)', () => fleetUp())
await timed('fleet up from the initial snapshot', () => fleetUp(), '30 s')
await timed('fleet to phase1-done, first start (saves a snapshot if none)', () =>
  fleetUp({ as: 'phase1-done' }),
)
await timed('fleet up from the phase1-done snapshot', () => fleetUp({ as: 'phase1-done' }), '30 s')
fleetDown()

section("the main job's tests (npm run rehearse: every spec, a fresh fleet)")
// The fleet is started here (its time is the figure above), so the run's time is its specs'.
let t = Date.now()
await fleetUp()
const mainUpMs = Date.now() - t
const report = join(mkdtempSync(join(tmpdir(), 'bench-')), 'report.json')
t = Date.now()
const run = spawnSync('npx', runbookArgs([], report), {
  cwd: ROOT,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: rehearsalChildEnv({ MIGRATION_SEND_COMMANDS: '1', REHEARSAL_KEEP: '1' }),
})
const mainMs = Date.now() - t
fleetDown()
if (!existsSync(report)) throw new Error(`the main job left no report (exit ${run.status})`)
const json = JSON.parse(readFileSync(report, 'utf8')) as {
  startTime: number
  numPassedTests: number
  numTotalTests: number
  testResults: { name: string; endTime: number }[]
}
// Spec files run one at a time in path order: a file's time runs from the previous
// file's end (its beforeAll included, which Vitest's own start time leaves out).
let previousEnd = json.startTime
for (const f of [...json.testResults].sort((a, b) => a.endTime - b.endTime)) {
  add({
    name: `  ${f.name.replace(/^.*\/specs\//, 'specs/')}`,
    value: f.endTime - previousEnd,
    unit: 'ms',
  })
  previousEnd = f.endTime
}
add({
  name: "main job's tests (all spec files)",
  value: previousEnd - json.startTime,
  unit: 'ms',
  target: '150 s',
})
add({ name: 'main job, wall time (fleet up included)', value: mainUpMs + mainMs, unit: 'ms' })
process.stdout.write(
  `checks passed: ${json.numPassedTests} of ${json.numTotalTests} (exit ${run.status})\n`,
)

section('fault matrix and the other fault tests (the faults project of npm test)')
if (matrixMode === 'skip') process.stdout.write('not measured (BENCH_MATRIX=skip)\n')
else {
  let wall: number | undefined
  let others: { title: string; ms: number }[] = []
  if (matrixMode === 'run') {
    const faultsReport = join(mkdtempSync(join(tmpdir(), 'bench-faults-')), 'report.json')
    t = Date.now()
    spawnSync(
      'npx',
      [
        'vitest',
        'run',
        '--project',
        'faults',
        '--reporter=json',
        `--outputFile.json=${faultsReport}`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: rehearsalChildEnv({}) },
    )
    wall = Date.now() - t
    others = otherFaultTests(faultsReport)
  }
  const folder = latestMatrixFolder()
  if (!folder) process.stdout.write('no recorded fault-matrix run with durations\n')
  else {
    if (matrixMode === 'latest') process.stdout.write(`figures of the recorded run ${folder}\n`)
    const outcomes = readFileSync(join(folder, 'scenarios.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ScenarioOutcome)
    for (const o of outcomes) {
      if (o.durationMs === undefined) continue
      add({ name: `  ${o.id}`, value: o.durationMs, unit: 'ms' })
      process.stdout.write(`      fleet up in ${o.fleet ?? '?'}\n`)
    }
    const sum = outcomes.reduce((a, o) => a + (o.durationMs ?? 0), 0)
    add({ name: 'fault matrix, all scenarios', value: sum, unit: 'ms' })
  }
  for (const o of others) add({ name: `  ${o.title}`, value: o.ms, unit: 'ms' })
  if (wall !== undefined)
    add({
      name: 'faults project in total (matrix, resume, safety, snapshot)',
      value: wall,
      unit: 'ms',
    })
}

record(FILE, figures, previous, `${hostname()} (${cpus().length} cores)`)
process.stdout.write(`\nfigures recorded in ${FILE}\n`)

function latestMatrixFolder(): string | undefined {
  const reports = join(ROOT, 'reports')
  if (!existsSync(reports)) return undefined
  return readdirSync(reports)
    .filter((d) => d.startsWith('fault-matrix-'))
    .sort()
    .reverse()
    .map((d) => join(reports, d))
    .find((d) => {
      const f = join(d, 'scenarios.jsonl')
      return existsSync(f) && readFileSync(f, 'utf8').includes('"durationMs"')
    })
}

/** The faults project's tests other than the matrix's scenarios, by file and title, with their time. */
function otherFaultTests(report: string): { title: string; ms: number }[] {
  if (!existsSync(report)) return []
  const json = JSON.parse(readFileSync(report, 'utf8')) as {
    testResults: { name: string; assertionResults: { title: string; duration?: number }[] }[]
  }
  return json.testResults
    .filter((f) => !f.name.endsWith('matrix.faults.test.ts'))
    .flatMap((f) =>
      f.assertionResults.map((a) => ({
        title: `${f.name.replace(/^.*\/tests\//, '').replace('.faults.test.ts', '')}: ${a.title.slice(0, 60)}`,
        ms: a.duration ?? 0,
      })),
    )
}
