import type { RunbookRun } from './run-runbook.ts'

/** A check the fault must make fail, and what its message must say (host and cause). */
export interface ExpectedFailure {
  check: string
  message: RegExp
}

/**
 * The verdict of a fault scenario: exactly the expected checks fail, each
 * with the expected words; every other check passed (it still ran: a fault
 * must not take unrelated checks down with it). Returns the problems found.
 */
export function judgeRun(run: RunbookRun, expected: ExpectedFailure[]): string[] {
  const problems: string[] = []
  if (run.checks.size === 0) problems.push('no check ran at all')
  for (const e of expected) {
    const c = run.checks.get(e.check)
    if (!c) problems.push(`expected check "${e.check}" did not run`)
    else if (c.status !== 'failed')
      problems.push(`"${e.check}" should fail under the fault but ${c.status}`)
    else if (!e.message.test(c.failure))
      problems.push(
        `"${e.check}" failed, but its message does not match ${String(e.message)}:\n${c.failure.split('\n').slice(0, 6).join('\n')}`,
      )
  }
  const failing = new Set(expected.map((e) => e.check))
  for (const c of run.checks.values())
    if (!failing.has(c.title) && c.status !== 'passed')
      problems.push(`unrelated check "${c.title}" ${c.status}: ${c.failure.split('\n')[0] ?? ''}`)
  return problems
}
