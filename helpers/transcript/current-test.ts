/**
 * The check (Vitest test) running right now in this worker, set by the
 * runbook's setup file, so the transcript can tie each command to the check
 * it served as evidence for. Outside a test (a phase's actions), undefined.
 */
let current: string | undefined

export function setCurrentTest(name: string | undefined): void {
  current = name
}

export function currentTest(): string | undefined {
  return current
}
