import { defineConfig } from 'vitest/config'
import { PathOrderSequencer } from './helpers/runner/path-order-sequencer.ts'

const SECOND = 1000
const MINUTE = 60 * SECOND

export default defineConfig({
  test: {
    // Phases act on shared machines: one file at a time, in path order, never retried
    // (a retried beforeAll would repeat a migration step behind the operator's back).
    fileParallelism: false,
    retry: 0,
    sequence: { sequencer: PathOrderSequencer },
    setupFiles: ['./helpers/runner/setup-redaction.ts'],
    // The sign-off report: written only for runbook runs (which have a run folder).
    // Vitest's JUnit and HTML reporters are not used: they fix their output path before
    // the global setup has made the run's folder, so they would write into the previous run's.
    reporters: ['default', './helpers/report/signoff-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Unit tests share no machine: each makes its own temporary folders, sshd and
          // ports. Two files at a time (two cores) takes 127 s down to about 76 s.
          fileParallelism: true,
          maxWorkers: 2,
          include: ['helpers/**/*.test.ts', 'rehearsal/**/*.test.ts', 'docker/**/*.test.ts'],
          exclude: ['**/*.fleet.test.ts', '**/*.faults.test.ts', '**/node_modules/**'],
          testTimeout: 60 * SECOND,
          hookTimeout: 2 * MINUTE,
          globalSetup: ['./helpers/runner/rehearsal-only-global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          // Tests of the simulated fleet itself: real containers, real systemd, real reboots.
          name: 'fleet',
          include: ['rehearsal/**/*.fleet.test.ts'],
          testTimeout: 5 * MINUTE,
          hookTimeout: 10 * MINUTE,
          globalSetup: ['./rehearsal/global-setup/fleet.ts'],
        },
      },
      {
        extends: true,
        test: {
          // The runbook under rehearsal faults: each test runs specs in a child process on a
          // fresh faulted fleet and judges which checks failed and why.
          name: 'faults',
          include: ['rehearsal/**/*.faults.test.ts'],
          testTimeout: 30 * MINUTE,
          globalSetup: ['./rehearsal/global-setup/faults.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'runbook',
          include: ['specs/**/*.spec.ts'],
          // Every action and wait inside sets its own deadline; these are the outer bounds.
          testTimeout: 10 * MINUTE,
          hookTimeout: 30 * MINUTE,
          // Product first (target, inventory, scope), then the target's own set-up (a
          // rehearsal starts or attaches to its fleet), then the run's start record.
          globalSetup: [
            './helpers/runner/runbook-global-setup.ts',
            './rehearsal/global-setup/runbook.ts',
            './helpers/runner/run-meta-global-setup.ts',
          ],
          setupFiles: [
            './helpers/runner/setup-redaction.ts',
            './helpers/runner/setup-current-test.ts',
          ],
        },
      },
    ],
  },
})
