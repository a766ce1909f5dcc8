import { format } from 'node:util'
import { redact } from '../secrets/redact.ts'

/** The runbook's own output: always redacted, always to stderr (stdout belongs to reporters). */
export function say(message: string): void {
  process.stderr.write(redact(message) + '\n')
}

/** A live progress line (long waits, long commands); silenced with RUNBOOK_QUIET=1. */
export function progress(message: string): void {
  if (process.env.RUNBOOK_QUIET !== '1') say(message)
}

/**
 * Wraps console methods so that anything printed through them, by us or by a
 * library, is redacted too: arguments are formatted first (objects included)
 * and the resulting text is redacted. Installed by the Vitest setup file.
 */
export function installConsoleRedaction(target: Console = console): void {
  for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = target[m].bind(target)
    target[m] = (...args: unknown[]) => original(redact(format(...args)))
  }
}
