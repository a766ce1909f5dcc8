import type { TranscriptEntry } from '../transcript/transcript.ts'

export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'not run'

/** One check (test) of a run, with what it rests on. */
export interface CheckRecord {
  spec: string
  /** Describe blocks from the file's top: phase, then plan section. */
  path: string[]
  title: string
  host?: string
  status: CheckStatus
  durationMs: number
  /** Why it failed, or why it was skipped (redacted). */
  reason?: string
  /** Commands run while the check ran (exit codes, redacted output tails). */
  evidence: TranscriptEntry[]
}

/** A phase's actions (beforeAll work): what was done, when, how long. */
export interface ActionRecord {
  phase: string
  action: string
  commands: number
  failedCommands: number
  firstAt: string
  lastAt: string
}

export interface RunMeta {
  runId: string
  target: 'rehearsal' | 'production'
  faults: string
  startedAt: string
  finishedAt: string
  operator: string
  machine: string
  runbookCommit: string
  nixcfgBefore: string
  nixcfgAfter: string
  /** The hosts the run could act on (HOSTS), or all. */
  scope: string
  /** Set when the run was cut short (SIGINT, SIGTERM): what stopped it. */
  interrupted?: string
}

export interface RunResults {
  meta: RunMeta
  checks: CheckRecord[]
  actions: ActionRecord[]
  /** Commands and local actions that started and never finished (an interruption, a hook timeout). */
  unfinished: TranscriptEntry[]
}
