import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { formPattern, secretForms } from '../secrets/secret-forms.ts'

/** Every string (keys included) inside a parsed JSON value, one per line. */
function jsonStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value)
  else if (Array.isArray(value)) for (const v of value) jsonStrings(v, out)
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push(k)
      jsonStrings(v, out)
    }
}

/**
 * What a file says. Gzipped files (Vitest's HTML report keeps its data so)
 * are searched for what they hold. JSON and JSON-lines files are searched in
 * their strings: a secret can only be written there as a string, and a short
 * numeric secret must not be "found" in a duration or an exit code.
 */
function contents(path: string): string {
  const raw = readFileSync(path)
  const isGzip = raw.length > 2 && raw[0] === 0x1f && raw[1] === 0x8b
  const text = (isGzip ? gunzipSync(raw) : raw).toString('utf8')
  if (!/\.jsonl?$/.test(path)) return text
  try {
    const out: string[] = []
    for (const line of path.endsWith('.jsonl') ? text.split('\n').filter(Boolean) : [text])
      jsonStrings(JSON.parse(line), out)
    return out.join('\n')
  } catch {
    return text // not JSON after all: searched as written
  }
}

/**
 * Every file of a report folder searched for every secret value in each form
 * it can take when written (as is, JSON-, HTML-, XML- and URL-escaped, inside
 * base64, gzipped): returns "file: which secret" for each hit. Short values
 * are searched as whole tokens. Binary files are searched too (a copied
 * database would hold a secret as bytes).
 */
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? filesUnder(p) : [p]
  })
}

let vendor: Set<string> | undefined
/**
 * The content hashes of the static files Vitest's HTML report copies from
 * @vitest/ui (its minified scripts and styles). A file of the run folder
 * byte-identical to one of them holds no run data, and minified code is
 * full of two-letter tokens a short secret would "match". Anything that
 * differs by one byte is searched.
 */
export function vendorFileHashes(): Set<string> {
  if (vendor) return vendor
  vendor = new Set()
  const require = createRequire(import.meta.url)
  const client = join(dirname(require.resolve('@vitest/ui/package.json')), 'dist', 'client')
  if (existsSync(client)) for (const f of filesUnder(client)) vendor.add(sha256(readFileSync(f)))
  return vendor
}

export function scanForSecrets(folder: string, secrets: Record<string, string>): string[] {
  const patterns = Object.entries(secrets).flatMap(([label, value]) =>
    secretForms(value).map((form) => ({ label, re: formPattern(form, value) })),
  )
  const hits: string[] = []
  for (const p of filesUnder(folder)) {
    if (vendorFileHashes().has(sha256(readFileSync(p)))) continue
    const text = contents(p)
    const found = new Set<string>()
    for (const { label, re } of patterns) {
      re.lastIndex = 0
      if (re.test(text)) found.add(label)
    }
    for (const label of found) hits.push(`${p}: ${label}`)
  }
  return hits
}
