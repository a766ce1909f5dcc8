import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { redactDeep } from '../secrets/redact.ts'
import { tail } from '../hosts/errors.ts'
import { currentContext } from './run-context.ts'
import { currentTest } from './current-test.ts'

export interface TranscriptEntry {
  time: string
  host: string
  phase?: string
  /** The action (beforeAll) this command belongs to. */
  check?: string
  /** The check (test) this command is evidence for. */
  test?: string
  command: string
  exitCode: number | null
  durationMs: number
  outcome: 'exit' | 'timeout' | 'connection-lost' | 'connect-failed'
  stdoutTail: string
  stderrTail: string
}

/**
 * Every command run on every host, as JSON lines. Written synchronously so a
 * run cut short still leaves what happened up to that point; redacted at the
 * last moment so no caller can forget.
 */
export class Transcript {
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true })
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
