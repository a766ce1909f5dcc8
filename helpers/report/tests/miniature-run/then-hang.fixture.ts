import { describe, it } from 'vitest'
import { runTranscript } from '../../../transcript/run-folder.ts'

/**
 * With LEAK_HANG=1, after leak.fixture.ts: a check that hangs in a journalled
 * command until the run is interrupted. In a file of its own, run after the
 * first one has ended: Vitest's worker sends finished checks to the main
 * process through a 100 ms throttle whose trailing send can be dropped (its
 * timer fires with exactly 100 ms gone, which the throttle does not count as
 * past), so a check that ended just before a hang in the same file could
 * stay unreported until the file ends; a finished file is always flushed.
 */
describe('a runbook phase that is interrupted', () => {
  it('a check whose command never returns', async () => {
    runTranscript().started('local', 'git -C /nixcfg push --quiet origin HEAD:main')
    process.stderr.write('hanging now\n')
    await new Promise(() => undefined)
  }, 600_000)
})
