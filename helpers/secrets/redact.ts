/**
 * The redaction layer. Every secret value the project learns (from the
 * environment, from files, or at run time such as a session cookie) is
 * registered here, and everything the project writes or prints passes through
 * `redact`. Registering is global on purpose: a value known anywhere must be
 * hidden everywhere; registrations also go to the run's spool, so the
 * reporter process learns what the workers learnt.
 */
import { formPattern, secretForms } from './secret-forms.ts'
import { appendToSpool, readSpool } from './secret-spool.ts'

const secrets = new Map<string, string>() // value -> label
let patterns: { re: RegExp; label: string }[] | undefined
let spoolRead = 0

function remember(label: string, value: string): void {
  if (!value || secrets.has(value)) return
  secrets.set(value, label)
  // Multi-line secrets (keys, env files) may be shown line by line.
  for (const line of value.split('\n').map((l) => l.trim()))
    if (line.length >= 8 && line !== value) secrets.set(line, label)
  patterns = undefined
}

export function registerSecret(label: string, value: string | undefined): void {
  if (!value) return
  const known = secrets.has(value)
  remember(label, value)
  if (!known) appendToSpool({ label, value })
}

/** Learns what other processes of this run registered (the reporter calls it before writing). */
export function learnSpooledSecrets(): void {
  const { secrets: spooled, next } = readSpool(spoolRead)
  spoolRead = next
  for (const s of spooled) remember(s.label, s.value)
}

function compiled(): { re: RegExp; label: string }[] {
  if (patterns) return patterns
  const all: { form: string; re: RegExp; label: string }[] = []
  for (const [value, label] of secrets)
    for (const form of secretForms(value, false))
      all.push({ form, re: formPattern(form, value), label })
  // Longest first, so a secret containing another is masked whole.
  patterns = all.sort((a, b) => b.form.length - a.form.length)
  return patterns
}

export function redact(text: string): string {
  if (secrets.size === 0 || !text) return text
  let out = text
  for (const { re, label } of compiled()) out = out.replace(re, `«redacted:${label}»`)
  return out.includes('…') ? redactTruncated(out) : out
}

/**
 * Assertion messages cut long strings with "…": a secret cut there shows its
 * beginning. A run of at least 4 characters that begins a secret and ends at
 * the cut is masked too.
 */
function redactTruncated(text: string): string {
  return text.replace(/([A-Za-z0-9+/=_-]{4,})…/g, (whole, run: string) => {
    for (const [value, label] of secrets)
      for (let k = Math.min(run.length, value.length - 1); k >= 4; k--)
        if (run.endsWith(value.slice(0, k)))
          return `${run.slice(0, run.length - k)}«redacted:${label}»…`
    return whole
  })
}

/**
 * Redacts every string inside a value (object keys included), leaving its
 * structure, numbers and booleans alone: a short or numeric secret can never
 * turn a JSON number or a quote into something that no longer parses.
 */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v)) as T
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[redact(k)] = redactDeep(v)
    return out as T
  }
  return value
}

/** For tests only: forget everything registered. */
export function clearSecretsForTest(): void {
  secrets.clear()
  patterns = undefined
  spoolRead = 0
}

/** Every registered value by label, for searching written files; never printed. */
export function registeredSecrets(): Record<string, string> {
  const out: Record<string, string> = {}
  let n = 0
  for (const [value, label] of secrets) out[`${label} #${++n}`] = value
  return out
}
