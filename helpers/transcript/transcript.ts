import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { redactDeep } from '../secrets/redact.ts'
import { tail } from '../output/text.ts'
import { currentContext } from './run-context.ts'
import { currentTest } from './current-test.ts'

export interface TranscriptEntry {
  time: string
  /** A host of the inventory, `local`, or for an HTTP/WebSocket exchange the URL's host. */
  host: string
  /** Absent for a shell command (remote or local); `person` for a step a person was asked to do. */
  kind?: 'http' | 'ws' | 'person'
  phase?: string
  /** The action (beforeAll) this command belongs to. */
  check?: string
  /** The check (test) this command is evidence for. */
  test?: string
  command: string
  exitCode: number | null
  durationMs: number
  /** `started` is written before the command runs; its end carries the same `id`. */
  outcome: 'started' | 'exit' | 'timeout' | 'connection-lost' | 'connect-failed'
  id?: string
  stdoutTail: string
  stderrTail: string
}

/** A run folder's transcript, entry by entry (empty when there is none). */
export function readTranscript(folder: string): TranscriptEntry[] {
  const file = join(folder, 'transcript.jsonl')
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TranscriptEntry)
}

/** Commands whose start was journalled and whose end never was: what an interruption cut off. */
export function unfinished(entries: TranscriptEntry[]): TranscriptEntry[] {
  const ended = new Set(entries.filter((e) => e.outcome !== 'started').map((e) => e.id))
  return entries.filter((e) => e.outcome === 'started' && !ended.has(e.id))
}

let journal: Transcript | undefined
function setRunJournal(t: Transcript): void {
  journal = t
}
/** The run's journal, when a run is under way (none in unit tests of helpers). */
export function runJournal(): Transcript | undefined {
  return journal
}

/**
 * A local action (git, nix) journalled like a remote command: a `started`
 * entry before it runs, its end after, so an interrupted run shows the
 * commit or push that was in progress.
 */
export function journalLocal<T>(
  command: string,
  fn: () => { value: T; exitCode: number; stdout?: string; stderr?: string },
): T {
  const j = runJournal()
  const id = j?.started('local', command)
  const started = Date.now()
  const r = fn()
  j?.record({
    host: 'local',
    command,
    exitCode: r.exitCode,
    durationMs: Date.now() - started,
    outcome: 'exit',
    ...(id ? { id } : {}),
    ...(r.stdout !== undefined ? { stdout: r.stdout } : {}),
    ...(r.stderr !== undefined ? { stderr: r.stderr } : {}),
  })
  return r.value
}

/**
 * An HTTP request or a WebSocket exchange a check relies on, journalled like
 * a command: what was asked (method and URL; never a request body, which may
 * hold the password) and what came back (status, redirect, and a summary the
 * caller gives), so the sign-off shows it under the checkbox.
 */
export async function journalExchange<T>(
  kind: 'http' | 'ws',
  url: URL,
  what: string,
  fn: () => Promise<{ value: T; status: number | null; summary: string }>,
): Promise<T> {
  return journalAsync(url.host, kind, `${what} ${url.href}`, 'connect-failed', async () => {
    const r = await fn()
    return { value: r.value, exitCode: r.status, stdout: r.summary }
  })
}

/**
 * A person's step, journalled like a command so the sign-off shows who was
 * asked to do what and what the run saw: its start before the wait, its end
 * with what was observed (or why not).
 */
export async function journalPerson<T>(
  host: string,
  what: string,
  fn: () => Promise<{ value: T; seen: string }>,
): Promise<T> {
  return journalAsync(host, 'person', `PERSON STEP ${what}`, 'timeout', async () => {
    const r = await fn()
    return { value: r.value, exitCode: 0, stdout: r.seen }
  })
}

/** The shared outline: a `started` entry, then the end with what came back, or the error as `failed`. */
async function journalAsync<T>(
  host: string,
  kind: 'http' | 'ws' | 'person',
  command: string,
  failed: 'connect-failed' | 'timeout',
  fn: () => Promise<{ value: T; exitCode: number | null; stdout: string }>,
): Promise<T> {
  const j = runJournal()
  const id = j?.started(host, command)
  const started = Date.now()
  const base = { host, kind, command, ...(id ? { id } : {}) }
  try {
    const r = await fn()
    j?.record({
      ...base,
      exitCode: r.exitCode,
      durationMs: Date.now() - started,
      outcome: 'exit',
      stdout: r.stdout,
    })
    return r.value
  } catch (err) {
    j?.record({
      ...base,
      exitCode: null,
      durationMs: Date.now() - started,
      outcome: failed,
      stderr: (err as Error).message,
    })
    throw err
  }
}

/**
 * Every command run on every host, as JSON lines. Written synchronously so a
 * run cut short still leaves what happened up to that point; redacted at the
 * last moment so no caller can forget.
 */
export class Transcript {
  private next = 0

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true })
  }

  /** This transcript becomes the run's journal for local actions too. */
  useAsRunJournal(): this {
    setRunJournal(this)
    return this
  }

  /** Journals a command before it runs; returns the id its end will carry. */
  started(host: string, command: string): string {
    const id = `${process.pid}-${++this.next}`
    this.record({ host, command, exitCode: null, durationMs: 0, outcome: 'started', id })
    return id
  }

  record(
    e: Omit<TranscriptEntry, 'time' | 'phase' | 'check' | 'test' | 'stdoutTail' | 'stderrTail'> & {
      stdout?: string
      stderr?: string
    },
  ): void {
    const { stdout = '', stderr = '', ...rest } = e
    const ctx = currentContext()
    const entry: TranscriptEntry = {
      time: new Date().toISOString(),
      ...(ctx.phase ? { phase: ctx.phase } : {}),
      ...(ctx.check ? { check: ctx.check } : {}),
      ...(currentTest() ? { test: currentTest() } : {}),
      ...rest,
      stdoutTail: tail(stdout, 20),
      stderrTail: tail(stderr, 20),
    }
    // Redacted as data: a short or numeric secret cannot break the JSON.
    appendFileSync(this.file, JSON.stringify(redactDeep(entry)) + '\n')
  }
}
