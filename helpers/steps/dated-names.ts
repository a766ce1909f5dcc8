import { sh } from '../shell/quote.ts'

/**
 * Names the inventory gives with a `{date}` in them (`dashboard.backup`,
 * `dashboard.archive`): `{date}` is csb1's `date +%Y%m%d`. Only names of
 * exactly that form count; a `.partial` left by an interrupted copy or any
 * other file next to them does not, so a rollback never restores one and a
 * half-made archive never passes for the archive.
 */
export function datedNamePattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('{date}').map(escape).join('(\\d{8})')}$`)
}

/**
 * The shell command that lists the candidates for `pattern` in the current
 * folder (everything starting with the part before `{date}`); `datedNames`
 * then keeps those of the pattern's form.
 */
export function datedListCommand(pattern: string): string {
  return sh`ls -1d -- ${pattern.slice(0, pattern.indexOf('{date}'))}* 2>/dev/null`
}

/** The names among `names` of the pattern's form, oldest first (by their date, then by name). */
export function datedNames(pattern: string, names: string[]): string[] {
  const re = datedNamePattern(pattern)
  return names
    .map((n) => n.trim())
    .filter((n) => re.test(n))
    .sort((a, b) => dateOf(re, a).localeCompare(dateOf(re, b)) || a.localeCompare(b))
}

const dateOf = (re: RegExp, name: string): string => re.exec(name)?.[1] ?? ''
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
