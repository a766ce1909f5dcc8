import { describe, expect, it } from 'vitest'
import { judgeRun } from './expect-run.ts'
import type { CheckResult, RunbookRun } from './run-runbook.ts'

const run = (...checks: [string, CheckResult['status'], string?][]): RunbookRun => ({
  exitCode: 1,
  output: '',
  checks: new Map(
    checks.map(([title, status, failure]) => [title, { title, status, failure: failure ?? '' }]),
  ),
})
const expected = [{ check: 'gpc0: v1 agent stopped', message: /gpc0: .*rebuild/ }]

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
    ).toEqual(['unrelated check "hsb0: v1 agent stopped" skipped: '])
  })
  it('flags a run in which nothing ran', () => {
    expect(judgeRun(run(), [])).toEqual(['no check ran at all'])
  })
})
