import type { Reporter, TestCase } from 'vitest/node'

/**
 * Prints each check's result as the main process receives it. The interrupted-run
 * test waits for these lines instead of guessing how long Vitest's worker takes to
 * send a finished check (it batches them; on a busy machine that takes seconds).
 */
export default class ProgressReporter implements Reporter {
  onTestCaseResult(test: TestCase): void {
    process.stderr.write(`reported: ${test.name}: ${test.result().state}\n`)
  }
}
