/**
 * The forms a secret value can take once it is written somewhere: as is,
 * JSON-escaped, URL-encoded, HTML- and XML-escaped, and inside base64 at any
 * of the three byte alignments. The redaction layer masks them in text and
 * the secret scan searches files for them.
 */

/** Below this length a value is matched only as a whole token (e.g. "42" is not found in "1427"). */
export const SHORT_SECRET = 8

const escapeMarkup = (v: string, apos: string): string =>
  v
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, apos)

/**
 * The characters of `base64(bytes)` that depend on the secret's bytes only,
 * for each of the three offsets the secret can start at inside a longer
 * base64 stream. Empty for values too short to give a distinctive run.
 */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8')
  const out: string[] = []
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64')
    const first = Math.ceil((8 * k) / 6)
    const last = Math.floor((8 * (k + bytes.length)) / 6)
    const run = enc.slice(first, last)
    if (run.length >= 8) out.push(run)
  }
  return out
}

/** Every textual form of `value`, the value itself first; base64 forms only when `withBase64`. */
export function secretForms(value: string, withBase64 = true): string[] {
  const forms = new Set([
    value,
    JSON.stringify(value).slice(1, -1),
    // Single-quoted JavaScript, as assertion messages quote strings.
    value.replace(/\\/g, '\\\\').replace(/'/g, "\\'"),
    encodeURIComponent(value),
    escapeMarkup(value, '&#39;'),
    escapeMarkup(value, '&apos;'),
    escapeMarkup(value, '&#x27;'),
  ])
  if (withBase64) for (const b of base64Forms(value)) forms.add(b)
  return [...forms].filter((f) => f.length > 0)
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * A matcher for one form: short values only as a whole token (not inside a
 * longer word or number), longer ones anywhere.
 */
export function formPattern(form: string, original: string): RegExp {
  const body = escapeRegExp(form)
  return original.length < SHORT_SECRET
    ? new RegExp(`(?<![A-Za-z0-9])${body}(?![A-Za-z0-9])`, 'g')
    : new RegExp(body, 'g')
}
