import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { redactDeep } from '../secrets/redact.ts'
import { Transcript } from './transcript.ts'

/** Where run folders go: `reports/` of the project (RUNBOOK_REPORTS_DIR moves it, for tests of the reporter). */
export const REPORTS_DIR =
  process.env.RUNBOOK_REPORTS_DIR ?? fileURLToPath(new URL('../../reports/', import.meta.url))
const RUN_ID_VARIABLE = 'RUNBOOK_RUN_ID'

/**
 * Creates this run's folder (reports/<run-id>/) and points reports/latest at
 * it. Called once by the global setup, which exports the id to the workers.
 */
export function startRun(target: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  const id = `${stamp}-${target}`
  mkdirSync(join(REPORTS_DIR, id), { recursive: true })
  const latest = join(REPORTS_DIR, 'latest')
  rmSync(latest, { force: true })
  symlinkSync(id, latest)
  process.env[RUN_ID_VARIABLE] = id
  return id
}

export function runFolder(): string {
  const id = process.env[RUN_ID_VARIABLE]
  if (!id)
    throw new Error(
      `${RUN_ID_VARIABLE} is not set: runbook files run under the runbook's global setup`,
    )
  return join(REPORTS_DIR, id)
}

let transcript: Transcript | undefined
/** The transcript of this run (one JSON-lines file shared by every spec of the run). */
export function runTranscript(): Transcript {
  transcript ??= new Transcript(join(runFolder(), 'transcript.jsonl')).useAsRunJournal()
  return transcript
}

/** Writes a JSON file of this run (timings, evidence, plans) next to the transcript, redacted. */
export function writeRunArtifact(name: string, data: unknown): string {
  const file = join(runFolder(), name)
  writeFileSync(file, JSON.stringify(redactDeep(data), null, 2) + '\n')
  return file
}
