import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { PLAN_CHECKLISTS } from '../report/plan-checklists.ts'
import { checklistsIn, PLAN_FILE, planChecklist } from './plan-source.ts'
import { compareChecklist, specTitles } from './spec-titles.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const plan = readFileSync(PLAN_FILE, 'utf8')

describe('one checklist source: the plan', () => {
  it('the plan has the three checklists, in its own words', () => {
    expect(PLAN_CHECKLISTS.map((c) => [c.title, c.items.length])).toEqual([
      ['1.3 Verification Checklist - Phase 1', 10],
      ['2.7 Verification Checklist - Phase 2', 9],
      ['Success Criteria', 7],
    ])
    expect(PLAN_CHECKLISTS[1]?.items).toContain('Login with password + TOTP works')
  })

  it('every spec check under a checklist is a checkbox of the plan, and every checkbox has a check', () => {
    const problems = PLAN_CHECKLISTS.flatMap((c) =>
      compareChecklist(c, specTitles(`${ROOT}${c.spec}`)),
    )
    expect(problems).toEqual([])
  })

  it('a renamed checkbox in the plan, or a renamed check in a spec, fails the comparison', () => {
    const renamedPlan = plan.replace('- [ ] csb1: database backed up', '- [ ] csb1: database saved')
    const items = planChecklist('1.3 Verification Checklist - Phase 1', 'plan.md', renamedPlan)
    const phase1 = PLAN_CHECKLISTS[0]!
    expect(compareChecklist({ ...phase1, items }, specTitles(`${ROOT}${phase1.spec}`))).toEqual([
      `the plan's checkbox "csb1: database saved" (1.3 Verification Checklist - Phase 1) has no check in ${phase1.spec}`,
      `${phase1.spec}: the check "\${dashboardHost}: database backed up" stands under "1.3 Verification Checklist - Phase 1" but the plan has no such checkbox`,
    ])
    const spec = readFileSync(`${ROOT}${phase1.spec}`, 'utf8').replace(
      ': v1 agent stopped`',
      ': agent stopped`',
    )
    expect(compareChecklist(phase1, specTitles(phase1.spec, spec))[0]).toBe(
      `the plan's checkbox "hsb0: v1 agent stopped" (1.3 Verification Checklist - Phase 1) has no check in ${phase1.spec}`,
    )
  })

  it('a checklist heading missing from the plan is an error naming the file and the heading', () => {
    expect(() => planChecklist('Success Criteria', 'plan.md', '# Plan\n\n## Success\n')).toThrow(
      'plan.md: no checklist ("- [ ] …" items) under the heading "Success Criteria"',
    )
    expect(checklistsIn('## A\n\n- [ ] one\n- plain\n\n## B\n\n- [x] two\n')).toEqual(
      new Map([
        ['A', ['one']],
        ['B', ['two']],
      ]),
    )
  })
})
