import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// A runbook run in miniature, for the reporter's tests: the runbook's own setup files
// and sign-off reporter, a spec whose checks fail with secrets in their errors (and,
// with LEAK_HANG=1, one that hangs in a journalled command until the run is interrupted).
const at = (p: string): string => fileURLToPath(new URL(p, import.meta.url))

export default defineConfig({
  test: {
    root: at('./'),
    include: ['leak.fixture.ts'],
    globalSetup: [at('./global-setup.ts')],
    setupFiles: [
      at('../../../runner/setup-redaction.ts'),
      at('../../../runner/setup-current-test.ts'),
    ],
    reporters: ['default', at('../../signoff-reporter.ts'), at('./progress-reporter.ts')],
  },
})
