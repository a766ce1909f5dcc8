/**
 * The names inventory `dashboard.backup` (e.g. `data/nixfleet.db.v1-backup-{date}`)
 * gives to v1 database backups: `{date}` is csb1's `date +%Y%m%d`. Only names
 * of exactly that form are backups; a `.partial` left by an interrupted copy
 * or any other file next to them is not, so a rollback never restores one.
 */
export function backupNamePattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('{date}').map(escape).join('(\\d{8})')}$`)
}

/** The backups among `names`, oldest first (by their date, then by name). */
export function backupsAmong(pattern: string, names: string[]): string[] {
  const re = backupNamePattern(pattern)
  return names
    .map((n) => n.trim())
    .filter((n) => re.test(n))
    .sort((a, b) => dateOf(re, a).localeCompare(dateOf(re, b)) || a.localeCompare(b))
}

const dateOf = (re: RegExp, name: string): string => re.exec(name)?.[1] ?? ''
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
