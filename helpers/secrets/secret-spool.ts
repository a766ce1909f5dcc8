import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/**
 * How every secret a run learns reaches the process that writes its reports.
 * Vitest runs the global setup, each test worker and the reporters with their
 * own copies of the modules, so a value registered in a worker (the session
 * cookie, a secret read from a file) is unknown to the reporter. Each
 * registration is appended to a run-scoped spool file, encrypted with a key
 * that exists only in the environment of the run's processes (the file alone
 * discloses nothing), outside the report folder, mode 0600, removed at the end.
 */
export const SPOOL_FILE_VARIABLE = 'RUNBOOK_SECRET_SPOOL'
export const SPOOL_KEY_VARIABLE = 'RUNBOOK_SECRET_SPOOL_KEY'

export interface SpooledSecret {
  label: string
  value: string
}

/** Starts a spool for this run and tells every process started from here where it is. */
export function openSecretSpool(env: NodeJS.ProcessEnv = process.env): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-secrets-'))
  const file = join(dir, 'spool')
  writeFileSync(file, '', { mode: 0o600 })
  env[SPOOL_FILE_VARIABLE] = file
  env[SPOOL_KEY_VARIABLE] = randomBytes(32).toString('hex')
  return file
}

function spoolOf(env: NodeJS.ProcessEnv): { file: string; key: Buffer } | undefined {
  const file = env[SPOOL_FILE_VARIABLE]
  const key = env[SPOOL_KEY_VARIABLE]
  if (!file || !key || !existsSync(file)) return undefined
  return { file, key: Buffer.from(key, 'hex') }
}

export function appendToSpool(secret: SpooledSecret, env: NodeJS.ProcessEnv = process.env): void {
  const spool = spoolOf(env)
  if (!spool) return
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', spool.key, iv)
  const body = Buffer.concat([cipher.update(JSON.stringify(secret), 'utf8'), cipher.final()])
  const line = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')
  appendFileSync(spool.file, line + '\n')
}

/** The spool's entries from byte `from` on, with the offset to read from next time. */
export function readSpool(
  from = 0,
  env: NodeJS.ProcessEnv = process.env,
): { secrets: SpooledSecret[]; next: number } {
  const spool = spoolOf(env)
  if (!spool || statSync(spool.file).size <= from) return { secrets: [], next: from }
  const text = readFileSync(spool.file).subarray(from).toString('utf8')
  // Only whole lines: another process may be appending right now.
  const end = text.lastIndexOf('\n') + 1
  const secrets: SpooledSecret[] = []
  for (const line of text.slice(0, end).split('\n').filter(Boolean)) {
    const raw = Buffer.from(line, 'base64')
    const decipher = createDecipheriv('aes-256-gcm', spool.key, raw.subarray(0, 12))
    decipher.setAuthTag(raw.subarray(12, 28))
    const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString()
    secrets.push(JSON.parse(plain) as SpooledSecret)
  }
  return { secrets, next: from + Buffer.byteLength(text.slice(0, end)) }
}

/** Removes the spool (end of the run). */
export function closeSecretSpool(env: NodeJS.ProcessEnv = process.env): void {
  const file = env[SPOOL_FILE_VARIABLE]
  if (file) rmSync(dirname(file), { recursive: true, force: true })
}
