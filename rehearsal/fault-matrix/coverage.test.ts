import { describe, expect, it } from 'vitest'
import { cell } from './matrix-table.ts'
import { checkboxCoverage, SCENARIOS, selectScenarios } from './scenarios.ts'

describe('fault matrix coverage', () => {
  it('every checkbox of phase 1, phase 2 and the success criteria fails under at least one scenario', () => {
    const uncovered = checkboxCoverage().filter((c) => c.scenarios.length === 0)
    expect(
      uncovered.map((c) => `${c.checklist}: ${c.item}`),
      'checkboxes no fault scenario targets',
    ).toEqual([])
  })

  it('SCENARIOS picks scenarios by id; an unknown id is refused naming the known ones', () => {
    expect(selectScenarios(undefined)).toEqual(SCENARIOS)
    expect(selectScenarios(' phase1-refused ').map((s) => s.id)).toEqual(['phase1-refused'])
    expect(() => selectScenarios('phase1-refused,phase9')).toThrow(
      /^SCENARIOS: unknown scenario phase9 \(known: .*phase1-refused/,
    )
  })

  it('scenario ids are unique (the table and SCENARIOS use them)', () => {
    const ids = SCENARIOS.map((s) => s.id)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('a targeted checkbox that passed is shown as passed unexpectedly', () => {
    const o = { id: 'x', faults: 'f', targeted: ['A'], status: { A: 'passed', B: 'passed' } }
    expect(cell(o, 'A')).toBe('**PASSED UNEXPECTEDLY**')
    expect(cell({ ...o, status: { A: 'failed' } }, 'A')).toBe('failed as expected')
    expect(cell(o, 'B')).toBe('passed')
    expect(cell(o, 'C')).toBe('–')
  })
})
