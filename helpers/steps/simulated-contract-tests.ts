import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runTestsCached, type TestRun } from '../cache/test-result-cache.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * What the simulated dashboard's and agent's contract tests are made of:
 * the simulators, the product helpers they import (the dashboard client,
 * TOTP, quoting), the bundler, and the dependencies and settings they run
 * with. A change to any byte of these runs them again.
 */
export const CONTRACT_TEST_INPUTS = [
  'docker',
  'helpers',
  'package-lock.json',
  'vitest.config.ts',
  'tsconfig.json',
]

/**
 * Plan §2.1 in a rehearsal: the simulated v2 dashboard is built and its
 * contract tests run (with the agent's: their files are independent, each
 * starts its own dashboard on a free port, so two run at a time). As `go test`
 * does on the operator's checkout, a pass is reused while nothing it tested
 * changed; REHEARSAL_TEST_CACHE=0 runs them whatever was recorded.
 */
export function simulatedContractTests(): TestRun {
  return runTestsCached({
    root: ROOT,
    inputs: CONTRACT_TEST_INPUTS,
    command: [
      'npx',
      'vitest',
      'run',
      '--project',
      'unit',
      '--fileParallelism',
      '--maxWorkers=2',
      'docker/sim/nixfleet/dashboard-v2',
      'docker/sim/nixfleet/agent-v2',
    ],
    cacheDir: join(ROOT, '.cache', 'test-results'),
    timeoutMs: 5 * 60_000,
    // A separate test run: not part of this run's report folder.
    env: { ...process.env, RUNBOOK_RUN_ID: '' },
    useCache: process.env.REHEARSAL_TEST_CACHE !== '0',
  })
}
