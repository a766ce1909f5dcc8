import { describe, expect, it } from 'vitest'
import { PLAN_CHECKLISTS } from '../../report/plan-checklists.ts'
import { judgeRun } from '../expect-run.ts'
import { readResults, rehearsalSecrets, reportProblems } from '../report-checks.ts'
import { runRunbook } from '../run-runbook.ts'

const phase1Items = PLAN_CHECKLISTS.find((l) => l.id === 'phase1')?.items ?? []

/**
 * Plan phase 1 under faults. Partial failure: one host cut off the network,
 * another whose rebuild fails; exactly their checks fail, naming the host and
 * the cause. Unsafe input: a nixcfg file the runbook must refuse; nothing is
 * changed and every checkbox shows the refusal. Each run's sign-off report is
 * opened in Chromium and searched for the run's secrets.
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

    // The sign-off report of that run, as a person opens it.
    if (!run.folder) throw new Error('the run printed no report folder')
    const report = await reportProblems(run.folder, rehearsalSecrets())
    expect(report.problems).toEqual([])
    const status = (t: string): string | undefined =>
      report.checkboxes.find((c) => c.text === t)?.status
    expect(status('gpc0: v1 agent stopped')).toMatch(/failed/)
    expect(status('hsb0: v1 agent stopped')).toMatch(/passed/)
    expect(status('Can send commands to both hosts')).toMatch(/not run/)
  })

  it('a nixcfg file that cannot be edited safely: nothing changes, every checkbox shows not passed with the reason', async () => {
    const run = await runRunbook({
      specs: ['specs/phase1'],
      env: { REHEARSAL_FAULTS: 'nixcfg-mkforce:hsb0' },
      timeoutMs: 15 * 60_000,
    })
    if (!run.folder)
      throw new Error(`the run printed no report folder:\n${run.output.slice(-2000)}`)
    const results = readResults(run.folder)
    const wrong = phase1Items.flatMap((item) => {
      const c = results.checks.find((x) => x.title === item)
      if (!c) return [`${item}: no result`]
      if (c.status === 'passed') return [`${item}: passed`]
      return /nixcfg: nothing was changed[\s\S]*hsb0: .*hosts\/hsb0\/configuration\.nix:\d+: services\.nixfleet-agent\.enable = lib\.mkForce true; is not a plain true\/false/.test(
        c.reason ?? '',
      )
        ? []
        : [`${item}: reason does not say why: ${c.reason ?? '(none)'}`]
    })
    expect(wrong, run.output.slice(-2000)).toEqual([])
    // Validate before acting: no commit was made, no host was touched.
    expect(run.output).not.toMatch(/nixcfg: committed|git pull && sudo nixos-rebuild/)
    const report = await reportProblems(run.folder, rehearsalSecrets())
    expect(report.problems).toEqual([])
    for (const item of phase1Items)
      expect(report.checkboxes.find((c) => c.text === item)?.status, item).toMatch(/failed/)
  })
})
