import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'
import { TARGET_FILE_VARIABLE } from '../config/target-access.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * For a unit test: a rehearsal target whose evaluator is the simulated hosts'
 * own (as a rehearsal describes it), set for the test file and restored after.
 * Nothing else of the target is reachable.
 */
export function useSimulatedEvaluator(worktree = '/r/nixcfg'): void {
  const saved = process.env[TARGET_FILE_VARIABLE]
  beforeAll(() => {
    const file = join(mkdtempSync(join(tmpdir(), 'target-')), 'target.json')
    writeFileSync(
      file,
      JSON.stringify({
        ssh: { configFile: '/r/ssh_config', knownHostsFiles: [] },
        https: { caFile: '/r/ca.crt', resolve: { suffix: '.barta.cm', address: '127.0.0.1' } },
        worktree,
        flakePin: 'rewrite-lock',
        evaluate: {
          command: [
            join(ROOT, 'node_modules', '.bin', 'tsx'),
            join(ROOT, 'docker', 'sim', 'lib', 'evaluate-cli.ts'),
          ],
        },
        ledger: '/r/ledger.jsonl',
        person: { by: 'simulated', command: ['/bin/false'], deadlineMs: 1000 },
      }),
    )
    process.env[TARGET_FILE_VARIABLE] = file
  })
  afterAll(() => {
    if (saved === undefined) delete process.env[TARGET_FILE_VARIABLE]
    else process.env[TARGET_FILE_VARIABLE] = saved
  })
}
