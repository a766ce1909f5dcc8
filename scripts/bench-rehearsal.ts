/**
 * Benchmark: the end-to-end rehearsal (phase 1, phase 2 with its three
 * reboots, the success criteria) on a fresh fleet, images already built, and
 * phase 1's parallelism (the phase against its slowest host). Targets
 * (issues): end to end in 3 minutes or less; phase 1 no longer than its
 * slowest host's work plus a small margin. Prints figures; asserts nothing.
 *
 *   npm run bench:rehearsal
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildImages } from '../docker/build-images.ts'
import { runbookArgs } from '../rehearsal/fault-matrix/run-runbook.ts'
import { fleetDown, fleetUp } from '../rehearsal/world/fleet-lifecycle.ts'
import { REPORTS_DIR } from '../helpers/transcript/run-folder.ts'
import { formatMs } from '../helpers/time/duration.ts'
import { rehearsalChildEnv } from '../helpers/config/target.ts'

await buildImages() // not timed
fleetDown()
const upStarted = Date.now()
await fleetUp()
const upMs = Date.now() - upStarted

const report = join(mkdtempSync(join(tmpdir(), 'bench-')), 'report.json')
const started = Date.now()
const run = spawnSync(
  'npx',
  runbookArgs(['specs/phase1', 'specs/phase2-deploy-v2', 'specs/phase2-success-criteria'], report),
  {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: rehearsalChildEnv({ REHEARSAL_KEEP: '1', MIGRATION_SEND_COMMANDS: '1' }),
  },
)
const totalMs = Date.now() - started
const json = JSON.parse(readFileSync(report, 'utf8')) as {
  numPassedTests: number
  numTotalTests: number
  testResults: { name: string; startTime: number; endTime: number }[]
}
const timings = JSON.parse(
  readFileSync(join(REPORTS_DIR, 'latest', 'phase1-timings.json'), 'utf8'),
) as {
  phaseMs: number
  switchWallMs: number
  hostMs: Record<string, number>
}
fleetDown()

const slowest = Object.entries(timings.hostMs).sort((a, b) => b[1] - a[1])[0] ?? ['-', 0]
const sum = Object.values(timings.hostMs).reduce((a, b) => a + b, 0)
const line = (k: string, v: string): void => void process.stdout.write(`${k.padEnd(46)} ${v}\n`)
line('fleet up (not part of the rehearsal time)', formatMs(upMs))
for (const f of json.testResults)
  line(`  ${f.name.replace(/^.*\/specs\//, 'specs/')}`, formatMs(f.endTime - f.startTime))
line('end to end: phase 1 + phase 2 + success criteria', `${formatMs(totalMs)} (target 3 min)`)
line('checks passed', `${json.numPassedTests} of ${json.numTotalTests} (exit ${run.status})`)
line('phase 1 pull+switch: slowest single host', `${slowest[0]} ${formatMs(slowest[1])}`)
line('phase 1 pull+switch: all hosts, in parallel', formatMs(timings.switchWallMs))
line('phase 1 pull+switch: all hosts, sum of their work', formatMs(sum))
line('phase 1 as a whole (incl. v1 dashboard probes)', formatMs(timings.phaseMs))
