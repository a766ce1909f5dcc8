import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// A runbook run in miniature, for the reporter's redaction test: the runbook's own
// setup files and sign-off reporter, a spec whose checks fail with secrets in their errors.
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
    reporters: ['default', at('../../signoff-reporter.ts')],
  },
})
