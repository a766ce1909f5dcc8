import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Target } from '../config/target.ts'
import { targetAccess } from '../config/target-access.ts'
import { say } from '../output/say.ts'
import { redactDeep } from '../secrets/redact.ts'
import { REPORTS_DIR, runFolder } from '../transcript/run-folder.ts'

/**
 * What the runbook has proven on a target, across runs: a step that is
 * costly or disruptive to repeat (a reboot) records its evidence here under
 * a key that names exactly what it proved ("csb1 rebooted after container
 * <id> was deployed"), so a re-run after an interruption or a failure skips
 * it and says so instead of rebooting again. A step is forced with
 * STEPS=<id>[,<id>…] (e.g. STEPS=2.4). Production keeps its ledger next to
 * its reports; a rehearsal keeps it with its fleet (a fresh fleet has done
 * nothing).
 */
export interface LedgerEntry<T = unknown> {
  key: string
  at: string
  runId: string
  evidence: T
}

export const STEPS_VARIABLE = 'STEPS'
/** The steps a ledger can skip, by the plan's section number. */
export const LEDGERED_STEPS = {
  '2.4': 'reboot csb1 after the deploy',
  '2.6': 'reboot each test host after its v2 rollout',
} as const

export class StepsError extends Error {
  override name = 'StepsError'
}

/** STEPS=2.4,2.6: the ledgered steps to run even when done; an unknown id is refused. */
export function forcedSteps(env: NodeJS.ProcessEnv = process.env): string[] {
  const ids = (env[STEPS_VARIABLE] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const unknown = ids.filter((id) => !(id in LEDGERED_STEPS))
  if (unknown.length)
    throw new StepsError(
      `${STEPS_VARIABLE}: ${unknown.join(', ')} is not a step that can be forced (known: ${Object.entries(
        LEDGERED_STEPS,
      )
        .map(([id, what]) => `${id} = ${what}`)
        .join('; ')})`,
    )
  return ids
}

export function ledgerFile(target: Target, env: NodeJS.ProcessEnv = process.env): string {
  const access = targetAccess(target, env)
  return access.ledger ?? join(REPORTS_DIR, `${target}-ledger.jsonl`)
}

export class StepLedger {
  constructor(readonly file: string) {}

  /** The latest entry under `key`, if any. */
  find<T>(key: string): LedgerEntry<T> | undefined {
    if (!existsSync(this.file)) return undefined
    const lines = readFileSync(this.file, 'utf8').split('\n').filter(Boolean)
    for (const line of lines.reverse()) {
      const e = JSON.parse(line) as LedgerEntry<T>
      if (e.key === key) return e
    }
    return undefined
  }

  record<T>(key: string, evidence: T): void {
    mkdirSync(dirname(this.file), { recursive: true })
    const runId = runFolder().split('/').pop() ?? ''
    const entry: LedgerEntry<T> = { key, at: new Date().toISOString(), runId, evidence }
    appendFileSync(this.file, JSON.stringify(redactDeep(entry)) + '\n')
  }
}

export interface Once<T> {
  value: T
  /** Set when the step was not repeated: the run that proved it. */
  earlier?: { at: string; runId: string }
}

/**
 * Runs `action` unless the ledger already holds `key` and `stillHolds`
 * confirms on the fleet that what was proven is still so (the same boot);
 * records the evidence when the action succeeds. `step` is the plan's
 * section, for STEPS.
 */
export async function doOnce<T>(
  ledger: StepLedger,
  opts: {
    step: keyof typeof LEDGERED_STEPS
    key: string
    stillHolds: (evidence: T) => Promise<boolean>
    action: () => Promise<T>
  },
): Promise<Once<T>> {
  const earlier = forcedSteps().includes(opts.step) ? undefined : ledger.find<T>(opts.key)
  if (earlier && (await opts.stillHolds(earlier.evidence))) {
    say(
      `${opts.key}: already proven by run ${earlier.runId} at ${earlier.at}: not repeated (${STEPS_VARIABLE}=${opts.step} repeats it)`,
    )
    return { value: earlier.evidence, earlier: { at: earlier.at, runId: earlier.runId } }
  }
  const value = await opts.action()
  ledger.record(opts.key, value)
  return { value }
}
