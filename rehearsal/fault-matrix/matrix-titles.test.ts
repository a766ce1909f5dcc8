import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { specTitles } from '../../helpers/plan/spec-titles.ts'
import { SCENARIOS } from './scenarios.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

describe('the fault matrix names only checks the specs declare', () => {
  it('every check the fault matrix names is a check some spec declares', () => {
    const titles = ['phase1-decommission-v1', 'phase2-deploy-v2', 'phase2-success-criteria']
      .concat(['phase3-expansion', 'rollback-agent', 'rollback-dashboard'])
      .flatMap((s) => specTitles(`${ROOT}specs/${s}.spec.ts`))
    const named = SCENARIOS.flatMap((s) => [
      ...s.expect.fail.map((f) => f.check),
      ...(s.expect.pass === 'all-others' ? [] : s.expect.pass),
    ])
    const unknown = [...new Set(named)].filter((n) => !titles.some((t) => t.pattern.test(n)))
    expect(unknown, 'checks the fault matrix expects but no spec declares').toEqual([])
  })
})
