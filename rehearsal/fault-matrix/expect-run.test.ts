import { describe, expect, it } from 'vitest'
import { judgeRun } from './expect-run.ts'
import type { CheckResult, RunbookRun } from './run-runbook.ts'

const run = (...checks: [string, CheckResult['status'], string?][]): RunbookRun => ({
  exitCode: 1,
  folder: undefined,
  durationMs: 0,
  output: '',
  checks: new Map(
    checks.map(([title, status, failure]) => [title, { title, status, failure: failure ?? '' }]),
  ),
})
const expected = {
  fail: [{ check: 'gpc0: v1 agent stopped', message: /gpc0: .*rebuild/ }],
  pass: 'all-others' as const,
}

describe('judging a fault scenario', () => {
  it('accepts exactly the expected failure with its message', () => {
    expect(
      judgeRun(
        run(
          ['gpc0: v1 agent stopped', 'failed', 'gpc0: nixos-rebuild failed'],
          ['hsb0: v1 agent stopped', 'passed'],
        ),
        expected,
      ),
    ).toEqual([])
  })
  it('flags an expected failure that passed', () => {
    expect(judgeRun(run(['gpc0: v1 agent stopped', 'passed']), expected)).toEqual([
      '"gpc0: v1 agent stopped" should fail under the fault but passed',
    ])
  })
  it('flags a failure whose message does not say why', () => {
    expect(judgeRun(run(['gpc0: v1 agent stopped', 'failed', 'boom']), expected)[0]).toMatch(
      /does not match/,
    )
  })
  it('flags an unrelated check that failed or was skipped', () => {
    expect(
      judgeRun(
        run(
          ['gpc0: v1 agent stopped', 'failed', 'gpc0: rebuild'],
          ['hsb0: v1 agent stopped', 'skipped'],
        ),
        expected,
      ),
    ).toEqual([
      'unaffected check "hsb0: v1 agent stopped" skipped: ',
      'check "hsb0: v1 agent stopped" did not run (skipped)',
    ])
  })
  it('with a named pass list, a consequential failure is allowed but a skipped check is not', () => {
    const r = run(
      ['gpc0: v1 agent stopped', 'failed', 'gpc0: rebuild'],
      ['hsb0: v1 agent stopped', 'passed'],
      ['csb1: later check', 'failed', 'because gpc0 failed'],
      ['csb1: skipped check', 'skipped'],
    )
    expect(judgeRun(r, { fail: expected.fail, pass: ['hsb0: v1 agent stopped'] })).toEqual([
      'check "csb1: skipped check" did not run (skipped)',
    ])
  })
  it('flags a run in which nothing ran', () => {
    expect(judgeRun(run(), { fail: [], pass: 'all-others' })).toEqual(['no check ran at all'])
  })
})
