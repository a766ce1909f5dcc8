/**
 * The redaction layer. Every secret value the project learns (from the
 * environment, from files, or at run time such as a session cookie) is
 * registered here, and everything the project writes or prints passes through
 * `redact`. Registering is global on purpose: a value known anywhere must be
 * hidden everywhere.
 */
const secrets = new Map<string, string>() // value -> label

function variants(value: string): string[] {
  const out = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])
  return [...out].filter((v) => v.length > 0)
}

export function registerSecret(label: string, value: string | undefined): void {
  if (!value) return
  for (const v of variants(value)) secrets.set(v, label)
  // Multi-line secrets (keys, env files) may be shown line by line.
  for (const line of value.split('\n').map((l) => l.trim())) {
    if (line.length >= 8) secrets.set(line, label)
  }
}

export function redact(text: string): string {
  if (secrets.size === 0 || !text) return text
  // Longest first, so a secret containing another is masked whole.
  let out = text
  for (const v of [...secrets.keys()].sort((a, b) => b.length - a.length)) {
    if (out.includes(v)) out = out.split(v).join(`«redacted:${secrets.get(v) ?? 'secret'}»`)
  }
  return out
}

/** Redacts every string inside a JSON-serialisable value. */
export function redactDeep<T>(value: T): T {
  return JSON.parse(redact(JSON.stringify(value) ?? 'null')) as T
}

/** For tests only: forget everything registered. */
export function clearSecretsForTest(): void {
  secrets.clear()
}

/** Every registered value (and its variants) by label, for searching written files; never printed. */
export function registeredSecrets(): Record<string, string> {
  const out: Record<string, string> = {}
  let n = 0
  for (const [value, label] of secrets) out[`${label} #${++n}`] = value
  return out
}
