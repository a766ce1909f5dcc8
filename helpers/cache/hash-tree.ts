import type { Hash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/**
 * Not source: installed packages (package-lock.json stands for them) and what
 * tools cache there. Vitest keeps its results cache, durations included, in a
 * node_modules folder beside a config it runs (helpers/report/tests/
 * miniature-run), so hashing it made every unit test run invalidate the
 * fleet's snapshots and the cached contract tests.
 */
const NOT_SOURCE = 'node_modules'

/**
 * Feeds every file under `path` into `h`, in sorted order, each as its name
 * relative to `base` followed by its bytes: the content hash behind image
 * tags, snapshots, cached test runs and csb1's Docker seed. Folders named
 * node_modules are left out; `skip` leaves out a path (relative to `base`)
 * and everything below it.
 */
export function hashTree(
  h: Hash,
  path: string,
  base: string,
  skip: (rel: string) => boolean = () => false,
): Hash {
  const walk = (p: string): void => {
    const rel = relative(base, p)
    if (rel && skip(rel)) return
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (f !== NOT_SOURCE) walk(join(p, f))
    } else h.update(rel).update(readFileSync(p))
  }
  walk(path)
  return h
}
