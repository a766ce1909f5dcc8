import type { RunbookRun } from './run-runbook.ts'

/** A check the fault must make fail, and what its message must say (host and cause). */
export interface ExpectedFailure {
  check: string
  message: RegExp
}

export interface Expectations {
  /** Checks the fault must fail, each with its reason. */
  fail: ExpectedFailure[]
  /** Checks the fault must leave passing; 'all-others' for every check not in `fail`. */
  pass: 'all-others' | string[]
}

/**
 * The verdict of a fault scenario: the expected checks fail with the expected
 * words; the checks named unaffected pass; and every check ran (a fault must
 * not skip the checks after it: those report what they find, even if that is
 * a consequence of the fault). Returns the problems found.
 */
export function judgeRun(run: RunbookRun, expected: Expectations): string[] {
  const problems: string[] = []
  if (run.checks.size === 0) problems.push('no check ran at all')
  for (const e of expected.fail) {
    const c = run.checks.get(e.check)
    if (!c) problems.push(`expected check "${e.check}" did not run`)
    else if (c.status !== 'failed')
      problems.push(`"${e.check}" should fail under the fault but ${c.status}`)
    else if (!e.message.test(c.failure))
      problems.push(
        `"${e.check}" failed, but its message does not match ${String(e.message)}:\n${c.failure.split('\n').slice(0, 6).join('\n')}`,
      )
  }
  const failing = new Set(expected.fail.map((e) => e.check))
  const mustPass =
    expected.pass === 'all-others'
      ? [...run.checks.keys()].filter((t) => !failing.has(t))
      : expected.pass
  for (const title of mustPass) {
    const c = run.checks.get(title)
    if (!c) problems.push(`unaffected check "${title}" did not run`)
    else if (c.status !== 'passed')
      problems.push(`unaffected check "${title}" ${c.status}: ${c.failure.split('\n')[0] ?? ''}`)
  }
  for (const c of run.checks.values())
    if (c.status !== 'passed' && c.status !== 'failed')
      problems.push(`check "${c.title}" did not run (${c.status})`)
  return problems
}
