import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { rehearsalChildEnv } from '../../helpers/config/target.ts'
import type { RunResults } from '../../helpers/report/results.ts'
import { formatMs } from '../../helpers/time/duration.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface CheckResult {
  title: string
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo'
  failure: string
}

export interface RunbookRun {
  exitCode: number | null
  checks: Map<string, CheckResult>
  output: string
  /** The run's report folder (reports/<run-id>), as the runbook printed it. */
  folder: string | undefined
  /** Wall time of the whole run, its fleet's start included. */
  durationMs: number
}

interface JsonReport {
  testResults: {
    assertionResults: { title: string; status: CheckResult['status']; failureMessages: string[] }[]
  }[]
}

/**
 * Vitest's JSON report calls a test skipped when its phase's `beforeAll`
 * threw; the sign-off results record it as failed with that error (which is
 * what the operator sees). Those checks take the sign-off's verdict.
 */
function hookFailures(folder: string, checks: Map<string, CheckResult>): void {
  const file = join(folder, 'results.json')
  if (!existsSync(file)) return
  const results = JSON.parse(readFileSync(file, 'utf8')) as RunResults
  for (const r of results.checks) {
    const c = checks.get(r.title)
    if (c?.status === 'skipped' && r.status === 'failed')
      checks.set(r.title, { ...c, status: 'failed', failure: r.reason ?? '' })
  }
}

/**
 * `npx` arguments for a runbook run whose outcome a program reads: Vitest's
 * JSON report at `jsonReport`, and the sign-off report in the run's folder.
 */
export function runbookArgs(specs: string[], jsonReport: string): string[] {
  return [
    'vitest',
    'run',
    '--project',
    'runbook',
    '--reporter=json',
    `--outputFile.json=${jsonReport}`,
    '--reporter=./helpers/report/signoff-reporter.ts',
    ...specs,
  ]
}

/**
 * Runs runbook specs the way an operator does (`vitest run --project runbook
 * <specs>`), in a child process with its own environment (faults, start
 * state), and reads every check's outcome from Vitest's JSON report. The
 * child starts its own rehearsal fleet (faults always need a fresh one) and
 * removes it at the end.
 */
export async function runRunbook(opts: {
  specs: string[]
  env: Record<string, string>
  timeoutMs: number
}): Promise<RunbookRun> {
  const started = Date.now()
  const dir = mkdtempSync(join(tmpdir(), 'runbook-faults-'))
  const report = join(dir, 'report.json')
  const child = spawn('npx', runbookArgs(opts.specs, report), {
    cwd: ROOT,
    // Never the operator's production settings: the child rehearses, whatever the shell exported.
    // The full rehearsal: the success criteria's command check is asked for, as `npm run rehearse` does.
    env: rehearsalChildEnv({ REHEARSAL_KEEP: '0', MIGRATION_SEND_COMMANDS: '1', ...opts.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  const exitCode = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      output += `\n[fault matrix] the run exceeded ${formatMs(opts.timeoutMs)} and was stopped\n`
      if (child.pid) process.kill(-child.pid, 'SIGTERM')
    }, opts.timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve(code)
    })
  })
  const checks = new Map<string, CheckResult>()
  try {
    const json = JSON.parse(readFileSync(report, 'utf8')) as JsonReport
    for (const file of json.testResults)
      for (const a of file.assertionResults)
        checks.set(a.title, {
          title: a.title,
          status: a.status,
          failure: a.failureMessages.join('\n'),
        })
  } catch (err) {
    throw new Error(
      `the runbook run left no readable report (${(err as Error).message}); its output:\n${output.slice(-4000)}`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const id = /run: reports\/(\S+)/.exec(output)?.[1]
  const folder = id ? join(ROOT, 'reports', id) : undefined
  if (folder) hookFailures(folder, checks)
  return { exitCode, checks, output, folder, durationMs: Date.now() - started }
}
