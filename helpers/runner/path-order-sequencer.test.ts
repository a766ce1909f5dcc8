import { describe, expect, it } from 'vitest'
import type { TestSpecification } from 'vitest/node'
import { PathOrderSequencer } from './path-order-sequencer.ts'

describe('runbook file order', () => {
  it('runs phases in path order, whatever Vitest’s history says', async () => {
    const spec = (moduleId: string): TestSpecification => ({ moduleId }) as TestSpecification
    const files = [
      '/r/specs/phase2-deploy.spec.ts',
      '/r/specs/phase1-decommission.spec.ts',
      '/r/specs/phase3-expand.spec.ts',
      '/r/specs/phase2-agents.spec.ts',
    ].map(spec)
    const sorter = Object.create(PathOrderSequencer.prototype) as PathOrderSequencer
    const sorted = await sorter.sort(files)
    expect(sorted.map((f) => f.moduleId.split('/').at(-1))).toEqual([
      'phase1-decommission.spec.ts',
      'phase2-agents.spec.ts',
      'phase2-deploy.spec.ts',
      'phase3-expand.spec.ts',
    ])
  })
})
