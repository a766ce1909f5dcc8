import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'

/**
 * Every file of a report folder searched for secret values (as written, and
 * URL-encoded): returns "file: which secret" for each hit. Binary files are
 * searched too (a screenshot could only hold text rendered as pixels, but a
 * copied database would hold it as bytes).
 */
export function scanForSecrets(folder: string, secrets: Record<string, string>): string[] {
  const hits: string[] = []
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else {
        const raw = readFileSync(p)
        // Vitest's HTML report keeps its data gzipped: search what it holds, not its bytes.
        const text = (p.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1')
        for (const [label, value] of Object.entries(secrets)) {
          if (value.length < 6) continue
          if (text.includes(value) || text.includes(encodeURIComponent(value)))
            hits.push(`${p}: ${label}`)
        }
      }
    }
  }
  walk(folder)
  return hits
}
