import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import HTMLReporterClass from '@vitest/ui/reporter'
import { JUnitReporter } from 'vitest/node'
import type { Reporter, TestCase, TestModule, TestSuite, Vitest } from 'vitest/node'
import { redactDeep, registeredSecrets } from '../secrets/redact.ts'
import { closeSecretSpool } from '../secrets/secret-spool.ts'
import { readTranscript, unfinished, type TranscriptEntry } from '../transcript/transcript.ts'
import { hostOf } from './plan-checklists.ts'
import { renderSignoff } from './render-signoff.ts'
import type { ActionRecord, CheckRecord, CheckStatus, RunMeta, RunResults } from './results.ts'
import { finishRunMeta } from './run-meta.ts'
import { REPORTS_DIR } from '../transcript/run-folder.ts'
import { scanForSecrets } from './secret-scan.ts'
import { installOutputRedaction, learnRunSecrets, redactTaskTree } from './redact-run.ts'

// @vitest/ui declares its reporter as an instance; the module exports the class.
const HTMLReporter = HTMLReporterClass as unknown as new (options: { outputFile: string }) => {
  onInit(ctx: Vitest): Promise<void>
  onTestRunEnd(): Promise<void>
}

/** The errors of the suites around a test (a failed beforeAll lands there). */
function suiteErrors(t: TestCase): string[] {
  const out: string[] = []
  for (let p: TestSuite | TestModule = t.parent; ; p = p.parent) {
    for (const e of p.errors()) out.push(e.message)
    if (p.type === 'module') break
  }
  return out
}

function describePath(t: TestCase): string[] {
  const path: string[] = []
  for (let p: TestSuite | TestModule = t.parent; p.type === 'suite'; p = p.parent)
    path.unshift(p.name)
  return path
}

export function checkRecord(t: TestCase, transcript: TranscriptEntry[], root: string): CheckRecord {
  const r = t.result()
  const hookErrors = suiteErrors(t)
  let status: CheckStatus = r.state === 'pending' ? 'not run' : r.state
  let reason: string | undefined
  if (r.state === 'failed') reason = r.errors.map((e) => e.message).join('\n')
  if (r.state === 'skipped') reason = r.note ?? 'skipped'
  // A check skipped because its phase's actions threw did not pass: it failed with that error.
  if (r.state !== 'passed' && hookErrors.length) {
    status = 'failed'
    reason = `the phase's actions failed: ${hookErrors.join('\n')}${reason && r.state === 'failed' ? `\n${reason}` : ''}`
  }
  const host = hostOf(t.name)
  return {
    spec: t.module.moduleId.replace(root, '').replace(/^\//, ''),
    path: describePath(t),
    title: t.name,
    ...(host ? { host } : {}),
    status,
    durationMs: t.diagnostic()?.duration ?? 0,
    ...(reason ? { reason } : {}),
    evidence: transcript.filter((e) => e.test === t.name && e.outcome !== 'started'),
  }
}

export function actionRecords(transcript: TranscriptEntry[]): ActionRecord[] {
  const by = new Map<string, ActionRecord>()
  for (const e of transcript) {
    if (e.test || !e.check || e.outcome === 'started') continue
    const key = `${e.phase ?? ''}\u0000${e.check}`
    const a = by.get(key) ?? {
      phase: e.phase ?? '',
      action: e.check,
      commands: 0,
      failedCommands: 0,
      firstAt: e.time,
      lastAt: e.time,
    }
    a.commands++
    if (e.exitCode !== 0) a.failedCommands++
    a.lastAt = e.time
    by.set(key, a)
  }
  return [...by.values()]
}

/**
 * Writes `results.json` and `signoff.html` into the run's folder at the end of
 * a runbook run, with Vitest's own JUnit XML and HTML report next to them,
 * then searches every file of the folder for the run's secrets. Other runs
 * (unit, fleet tests) have no run folder and are left alone.
 */
export default class SignoffReporter implements Reporter {
  private ctx: Vitest | undefined

  onInit(ctx: Vitest): void {
    this.ctx = ctx
    // Vitest prints failures (with their messages) from this process.
    installOutputRedaction()
    process.once('SIGINT', this.onSignal)
    process.once('SIGTERM', this.onSignal)
  }

  /** Each file's errors are redacted as soon as it ends, before any reporter prints them. */
  onTestModuleEnd(testModule: TestModule): void {
    learnRunSecrets()
    this.redactModule(testModule)
  }

  /** The raw task tree behind a module: what Vitest's summary and its JUnit/HTML reporters read. */
  private redactModule(testModule: TestModule): void {
    const task = this.ctx?.state.idMap.get(testModule.id)
    if (task) redactTaskTree(task)
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const folder = this.writeResults(testModules)
    if (!folder) return
    await this.vitestReports(folder, testModules)
    this.scan(folder)
  }

  /**
   * results.json and signoff.html, synchronously, so an interrupted run
   * (Ctrl-C, SIGTERM) still leaves them: `interrupted` says what stopped it,
   * and the checks that had not finished show as not run.
   */
  private writeResults(
    testModules: ReadonlyArray<TestModule>,
    interrupted?: string,
  ): string | undefined {
    const runId = process.env.RUNBOOK_RUN_ID
    if (!runId) return undefined
    const root = process.cwd()
    const folder = join(REPORTS_DIR, runId)
    if (!existsSync(folder)) return undefined
    learnRunSecrets()
    for (const m of testModules) this.redactModule(m)
    const transcript = readTranscript(folder)
    const checks = testModules.flatMap((m) =>
      [...m.children.allTests()].map((t) => checkRecord(t, transcript, root)),
    )
    const meta: RunMeta = { ...finishRunMeta(folder), ...(interrupted ? { interrupted } : {}) }
    // Redacted as data, before it is escaped for HTML or serialised as JSON.
    const results = redactDeep<RunResults>({
      meta,
      checks,
      actions: actionRecords(transcript),
      unfinished: unfinished(transcript),
    })
    writeFileSync(join(folder, 'results.json'), JSON.stringify(results, null, 2) + '\n')
    writeFileSync(join(folder, 'signoff.html'), renderSignoff(results))
    process.stderr.write(`sign-off report: reports/${runId}/signoff.html\n`)
    return folder
  }

  /** On SIGINT/SIGTERM: the record is written before Vitest exits (its own handler exits a tick later). */
  private onSignal = (signal: NodeJS.Signals): void => {
    if (!this.ctx) return
    const modules = this.ctx.state.getTestModules()
    const at = new Date().toISOString()
    const folder = this.writeResults(modules, `${signal} at ${at}: the run was interrupted`)
    if (folder) this.scan(folder)
  }

  /** After the last file is written: every file of the folder, every secret the run registered. */
  private scan(folder: string): void {
    learnRunSecrets()
    const leaks = scanForSecrets(folder, registeredSecrets())
    closeSecretSpool()
    if (leaks.length) {
      // A secret on disk is a failed run whatever the checks said.
      process.exitCode = 1
      process.stderr.write(`SECRET FOUND in the report folder:\n${leaks.join('\n')}\n`)
    } else process.stderr.write(`secret scan: no known secret in ${folder}\n`)
  }

  /**
   * Vitest's JUnit and HTML reporters, started here rather than in the config:
   * they open their output file when Vitest starts, before the global setup
   * has made the run's folder.
   */
  private async vitestReports(
    folder: string,
    testModules: ReadonlyArray<TestModule>,
  ): Promise<void> {
    if (!this.ctx) return
    const junit = new JUnitReporter({ outputFile: join(folder, 'junit.xml') })
    await junit.onInit(this.ctx)
    await junit.onTestRunEnd(testModules)
    const html = new HTMLReporter({ outputFile: join(folder, 'vitest', 'index.html') })
    await html.onInit(this.ctx)
    await html.onTestRunEnd()
  }
}
