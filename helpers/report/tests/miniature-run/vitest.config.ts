import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { PathOrderSequencer } from '../../../runner/path-order-sequencer.ts'

// A runbook run in miniature, for the reporter's tests: the runbook's own setup files
// and sign-off reporter, a spec whose checks fail with secrets in their errors (and,
// with LEAK_HANG=1, one that hangs in a journalled command until the run is interrupted).
const at = (p: string): string => fileURLToPath(new URL(p, import.meta.url))

export default defineConfig({
  test: {
    root: at('./'),
    // LEAK_HANG=1 adds a second file that hangs, run after the first has ended.
    include:
      process.env.LEAK_HANG === '1'
        ? ['leak.fixture.ts', 'then-hang.fixture.ts']
        : ['leak.fixture.ts'],
    fileParallelism: false,
    sequence: { sequencer: PathOrderSequencer },
    globalSetup: [at('./global-setup.ts')],
    setupFiles: [
      at('../../../runner/setup-redaction.ts'),
      at('../../../runner/setup-current-test.ts'),
    ],
    reporters: ['default', at('../../signoff-reporter.ts'), at('./progress-reporter.ts')],
  },
})
