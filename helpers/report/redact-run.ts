import { registerPresentSecrets } from '../secrets/secrets.ts'
import { learnSpooledSecrets, redact } from '../secrets/redact.ts'

/**
 * Redaction in the process that runs the reporters (Vitest's main process),
 * which shares no module state with the workers: it learns the run's secrets
 * from the environment and from the run's spool (what workers learnt), and
 * masks them in everything it prints and in the test results before any
 * reporter turns them into files.
 */
export function learnRunSecrets(): void {
  try {
    registerPresentSecrets()
  } catch {
    // An unreadable secret file is the phase's error to report; here only known values matter.
  }
  learnSpooledSecrets()
}

let installed = false
/** Every write to this process's stdout and stderr is redacted (Vitest prints failures there). */
export function installOutputRedaction(): void {
  if (installed) return
  installed = true
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean
    stream.write = (chunk: unknown, ...rest: unknown[]): boolean => {
      learnSpooledSecrets()
      const text =
        typeof chunk === 'string'
          ? chunk
          : chunk instanceof Uint8Array
            ? Buffer.from(chunk).toString('utf8')
            : undefined
      return write(text === undefined ? chunk : redact(text), ...rest)
    }
  }
}

/** Redacts, in place, every string inside a value (errors, diffs, causes). */
function redactInPlace(value: unknown, seen = new Set<unknown>()): void {
  if (!value || typeof value !== 'object' || seen.has(value)) return
  seen.add(value)
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) {
    const v = record[key]
    if (typeof v === 'string') record[key] = redact(v)
    else redactInPlace(v, seen)
  }
}

interface TaskLike {
  result?: { errors?: unknown[] }
  logs?: unknown[]
  tasks?: TaskLike[]
}

/**
 * The errors (messages, stacks, diffs) and captured logs of a task and its
 * children, redacted in place: Vitest's own JUnit and HTML reporters and its
 * summary read these objects, so redaction happens before any of them
 * escapes or writes the text.
 */
export function redactTaskTree(task: TaskLike): void {
  if (task.result?.errors) redactInPlace(task.result.errors)
  if (task.logs) redactInPlace(task.logs)
  for (const t of task.tasks ?? []) redactTaskTree(t)
}
