import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import ts from 'typescript'

/**
 * The product (`helpers/`, `specs/`) never depends on the rehearsal world
 * (`rehearsal/`): a production run must not load testcontainers, the image
 * builder or the simulators, and the rehearsal must stay liftable as its own
 * package. Imports are read with TypeScript's own pre-processor, so static
 * imports, re-exports, `import()` and `import type` all count.
 */
export const PRODUCT_DIRS = ['helpers', 'specs']
export const REHEARSAL_DIR = 'rehearsal'

export interface BoundaryViolation {
  file: string
  specifier: string
}

/** Imports of one product file (path relative to `root`) that land in the rehearsal. */
export function rehearsalImports(root: string, file: string, text: string): BoundaryViolation[] {
  const forbidden = resolve(root, REHEARSAL_DIR) + sep
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .filter((spec) => (resolve(root, dirname(file), spec) + sep).startsWith(forbidden))
    .map((specifier) => ({ file, specifier }))
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules') return []
    const p = join(dir, e.name)
    return e.isDirectory() ? sourceFiles(p) : /\.(ts|js)$/.test(e.name) ? [p] : []
  })
}

/** Relative imports of one file, resolved to paths relative to `root`. */
export function resolvedImports(root: string, file: string, text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(root, resolve(root, dirname(file), spec)))
}

/** The product's source files (tests included), relative to `root`. */
export function productFiles(root: string): string[] {
  return PRODUCT_DIRS.flatMap((d) => sourceFiles(join(root, d))).map((abs) => relative(root, abs))
}

/** Every import from the product into the rehearsal, across the project. */
export function boundaryViolations(root: string): BoundaryViolation[] {
  return PRODUCT_DIRS.flatMap((d) => sourceFiles(join(root, d))).flatMap((abs) =>
    rehearsalImports(root, relative(root, abs), readFileSync(abs, 'utf8')),
  )
}
