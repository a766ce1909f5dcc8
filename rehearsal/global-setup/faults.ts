import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { forceRehearsal } from '../../helpers/config/target.ts'
import { describeRehearsalTarget } from '../world/target-description.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    faultMatrixFolder: string
  }
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** One report folder per fault-matrix run: its table and each scenario's outcome. */
export default function setup(project: TestProject): void {
  forceRehearsal('the fault matrix')
  describeRehearsalTarget()
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const folder = join(ROOT, 'reports', `fault-matrix-${stamp}`)
  mkdirSync(folder, { recursive: true })
  project.provide('faultMatrixFolder', folder)
}
