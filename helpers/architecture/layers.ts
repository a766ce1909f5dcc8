import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { productFiles, resolvedImports } from './import-boundary.ts'

/**
 * The product's folders in layers, lowest first. A folder may import its
 * own layer and those below, never one above: the journal does not know
 * about hosts, a host verb does not know about phases, and nothing below
 * the runner knows it runs under Vitest.
 */
export const LAYERS: string[][] = [
  ['time', 'output', 'secrets', 'shell', 'inventory', 'config', 'cache'],
  ['transcript'],
  ['wait', 'flow', 'hosts', 'ssh', 'os', 'fleet', 'testing'],
  ['nixcfg', 'dashboard', 'checks', 'steps', 'plan'],
  ['phases'],
  ['report', 'runner', 'architecture'],
]

const layerOf = (folder: string): number => LAYERS.findIndex((l) => l.includes(folder))

export interface LayerViolation {
  file: string
  imports: string
  why: string
}

/** Imports that go up a layer (tests may reach anywhere below the runner's harness). */
export function layerViolations(
  root: string,
  files = productFiles(root).filter((f) => f.startsWith('helpers/') && !/\.test\.ts$/.test(f)),
  read: (file: string) => string = (f) => readFileSync(join(root, f), 'utf8'),
): LayerViolation[] {
  const out: LayerViolation[] = []
  for (const file of files) {
    const from = file.split('/')[1] ?? ''
    for (const target of resolvedImports(root, file, read(file))) {
      if (!target.startsWith('helpers/')) continue
      const to = target.split('/')[1] ?? ''
      const [a, b] = [layerOf(from), layerOf(to)]
      if (a < 0 || b < 0)
        out.push({ file, imports: target, why: `helpers/${a < 0 ? from : to} is in no layer` })
      else if (b > a)
        out.push({
          file,
          imports: target,
          why: `helpers/${from} (layer ${a}) must not import helpers/${to} (layer ${b})`,
        })
    }
  }
  return out
}
