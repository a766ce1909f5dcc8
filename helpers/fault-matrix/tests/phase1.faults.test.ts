import { describe, expect, it } from 'vitest'
import { judgeRun } from '../expect-run.ts'
import { runRunbook } from '../run-runbook.ts'

/**
 * Plan phase 1 under faults (issue: partial failure): one host cut off the
 * network, another whose rebuild fails. Exactly their checks fail, naming the
 * host and the cause; the six other hosts and the dashboard checks pass.
 */
describe('phase 1 under faults', () => {
  it('host unreachable (hsb1) and rebuild fails (gpc0): only those two hosts fail, with their reasons', async () => {
    const run = await runRunbook({
      specs: ['specs/phase1'],
      env: { REHEARSAL_FAULTS: 'host-unreachable:hsb1,rebuild-fails:gpc0' },
      timeoutMs: 20 * 60_000,
    })
    const problems = judgeRun(run, {
      fail: [
        {
          check: 'hsb1: v1 agent stopped',
          message: /hsb1: .*(cannot reach|connect|timed out|unreachable)/i,
        },
        {
          check: 'gpc0: v1 agent stopped',
          message: /gpc0: command failed .*nixos-rebuild[\s\S]*error: builder for/,
        },
      ],
      pass: 'all-others',
    })
    expect(
      problems,
      `${problems.join('\n')}\n--- runbook output (tail) ---\n${run.output.slice(-3000)}`,
    ).toEqual([])
  })
})
