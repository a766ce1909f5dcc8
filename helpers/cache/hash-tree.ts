import type { Hash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/**
 * Feeds every file under `path` into `h`, in sorted order, each as its name
 * relative to `base` followed by its bytes: the content hash behind image
 * tags and csb1's Docker seed. `skip` leaves out a path (relative to `base`)
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
    if (statSync(p).isDirectory()) for (const f of readdirSync(p).sort()) walk(join(p, f))
    else h.update(rel).update(readFileSync(p))
  }
  walk(path)
  return h
}
