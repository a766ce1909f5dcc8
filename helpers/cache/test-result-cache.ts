import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { hashTree } from './hash-tree.ts'

/** A test command's passing run, recorded under the hash of everything it tested. */
export interface RecordedPass {
  key: string
  command: string[]
  passedAt: string
  durationMs: number
}

export interface TestRun {
  /** The command's exit status; 0 for a pass taken from the record. */
  status: number | null
  output: string
  /** Set when the tests were not run again: the same inputs passed before. */
  cached?: RecordedPass
}

export interface CachedTestRun {
  root: string
  /** Files and folders (relative to root) whose content the tests' outcome depends on. */
  inputs: string[]
  command: string[]
  /** Where passes are recorded, one file per key. */
  cacheDir: string
  timeoutMs: number
  env?: NodeJS.ProcessEnv
  /** false: run the tests whatever is recorded (as `go test -count=1`). */
  useCache: boolean
}

/**
 * The key of a test run: the command, the Node version and every byte of its
 * inputs. Any change to a source, a test, the lockfile or the runtime gives a
 * new key, so a pass is only ever reused for exactly what passed.
 */
export function testRunKey(opts: Pick<CachedTestRun, 'root' | 'inputs' | 'command'>): string {
  const h = createHash('sha256').update(JSON.stringify([opts.command, process.version]))
  for (const input of [...opts.inputs].sort()) {
    const path = join(opts.root, input)
    if (!existsSync(path))
      throw new Error(`test cache: input ${input} does not exist in ${opts.root}`)
    hashTree(h, path, opts.root)
  }
  return h.digest('hex').slice(0, 24)
}

function recorded(file: string, key: string): RecordedPass | undefined {
  if (!existsSync(file)) return undefined
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as RecordedPass
    return r.key === key && typeof r.passedAt === 'string' ? r : undefined
  } catch {
    // A torn or foreign file is no record: the tests run and write a good one.
    return undefined
  }
}

/**
 * Runs a test command unless the same inputs already passed, as Go's test
 * cache does for `go test` (the production counterpart of this step): a pass
 * is recorded under the key of its inputs; a failure, a timeout or a crash is
 * never recorded, so a failing suite runs (and fails) every time.
 */
export function runTestsCached(opts: CachedTestRun): TestRun {
  const key = testRunKey(opts)
  const file = join(opts.cacheDir, `${key}.json`)
  const hit = opts.useCache ? recorded(file, key) : undefined
  if (hit) return { status: 0, output: '', cached: hit }
  const started = Date.now()
  const [cmd, ...args] = opts.command
  if (!cmd) throw new Error('test cache: empty command')
  const r = spawnSync(cmd, args, {
    cwd: opts.root,
    encoding: 'utf8',
    timeout: opts.timeoutMs,
    env: opts.env ?? process.env,
  })
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`
  if (r.status === 0) {
    const pass: RecordedPass = {
      key,
      command: opts.command,
      passedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
    }
    mkdirSync(opts.cacheDir, { recursive: true })
    // Written whole, then renamed: a reader never sees half a record.
    writeFileSync(`${file}.partial`, JSON.stringify(pass, null, 2) + '\n')
    renameSync(`${file}.partial`, file)
  }
  return { status: r.status, output }
}
