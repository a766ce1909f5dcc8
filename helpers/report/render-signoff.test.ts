import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { DEPARTURES } from './departures.ts'
import { renderSignoff } from './render-signoff.ts'
import type { RunResults } from './results.ts'
import { scanForSecrets } from './secret-scan.ts'

const esc = (t: string): string => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const results = (over: Partial<RunResults['meta']> = {}): RunResults => ({
  meta: {
    runId: '20261125-120000-rehearsal',
    target: 'rehearsal',
    faults: '',
    startedAt: '2026-11-25T12:00:00Z',
    finishedAt: '2026-11-25T12:05:00Z',
    operator: 'mba',
    machine: 'ops',
    runbookCommit: 'abc1234',
    nixcfgBefore: '1111111',
    nixcfgAfter: '2222222',
    scope: 'HOSTS=gpc0 (1 of 8 hosts)',
    ...over,
  },
  checks: [
    {
      spec: 'specs/phase1-decommission-v1.spec.ts',
      path: ['Phase 1: Decommission v1', '1.3 Verification Checklist - Phase 1'],
      title: 'hsb0: v1 agent stopped',
      host: 'hsb0',
      status: 'passed',
      durationMs: 1200,
      evidence: [
        {
          time: '2026-11-25T12:01:00Z',
          host: 'hsb0',
          test: 'hsb0: v1 agent stopped',
          command: 'systemctl status nixfleet-agent --no-pager',
          exitCode: 4,
          durationMs: 500,
          outcome: 'exit',
          stdoutTail: '',
          stderrTail: 'Unit nixfleet-agent.service could not be found.',
        },
      ],
    },
    {
      spec: 'specs/phase1-decommission-v1.spec.ts',
      path: ['Phase 1: Decommission v1', '1.3 Verification Checklist - Phase 1'],
      title: 'gpc0: v1 agent stopped',
      host: 'gpc0',
      status: 'failed',
      durationMs: 300,
      reason: 'gpc0: command failed with exit code 1 <error: builder>',
      evidence: [],
    },
  ],
  actions: [],
  unfinished: [],
})

describe('the sign-off page', () => {
  it('puts failures first, with the reason, and shows every plan checkbox with a status', () => {
    const html = renderSignoff(results())
    expect(html.indexOf('id="failures"')).toBeLessThan(html.indexOf('id="phase1"'))
    expect(html).toContain('1 failed check')
    expect(html).toContain('gpc0: command failed with exit code 1 &#60;error: builder&#62;')
    expect(html).toMatch(/data-checkbox="hsb0: v1 agent stopped" data-status="passed"/)
    expect(html).toMatch(/data-checkbox="gpc0: v1 agent stopped" data-status="failed"/)
    // A checkbox with no result is shown as not run, never left out.
    expect(html).toMatch(/data-checkbox="Can send commands to both hosts" data-status="not run"/)
    expect(html.match(/data-checkbox=/g)?.length).toBeGreaterThanOrEqual(26)
  })

  it('cannot hide the target: PRODUCTION and a fault mode are spelled out', () => {
    expect(renderSignoff(results({ target: 'production' }))).toMatch(
      /class="target" id="target">PRODUCTION/,
    )
    expect(renderSignoff(results({ faults: 'rebuild-fails:gpc0' }))).toContain(
      'FAULT MODE: rebuild-fails:gpc0',
    )
    expect(renderSignoff(results())).toMatch(/hosts in scope<\/td><td>HOSTS=gpc0 \(1 of 8 hosts\)/)
  })

  it('an interrupted run says so in its banner and lists what was cut off', () => {
    const html = renderSignoff({
      ...results({ interrupted: 'SIGINT at 2026-11-25T12:03:00Z: the run was interrupted' }),
      unfinished: [
        {
          time: '2026-11-25T12:02:59Z',
          host: 'local',
          phase: 'phase 1',
          command: 'git -C /nixcfg push --quiet origin HEAD:main',
          exitCode: null,
          durationMs: 0,
          outcome: 'started',
          id: '1-7',
          stdoutTail: '',
          stderrTail: '',
        },
      ],
    })
    expect(html).toContain('INTERRUPTED: SIGINT at 2026-11-25T12:03:00Z')
    expect(html).toMatch(/id="unfinished".*started, never finished.*git -C \/nixcfg push/s)
    expect(renderSignoff(results())).not.toContain('id="unfinished"')
  })

  it("lists every departure from the plan with the plan's words, what runs instead and why", () => {
    const html = renderSignoff(results())
    expect(html).toContain("<h2>Departures from the plan's text</h2>")
    for (const d of DEPARTURES) expect(html).toContain(`<code>${esc(d.plan)}</code>`)
    expect(html).toContain('HEAD~1 is v1 only when v2 is exactly one commit ahead')
  })

  it('is self-contained: no script, no external resource', () => {
    const html = renderSignoff(results())
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i)
  })

  it('the secret scan finds a secret in any file of a folder, and reports none when clean', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'))
    writeFileSync(join(dir, 'a.json'), '{"x":"fine"}')
    expect(scanForSecrets(dir, { password: 'hunter2-very-secret' })).toEqual([])
    writeFileSync(join(dir, 'b.html'), 'login with hunter2%2Dvery-secret'.replace('%2D', '-'))
    expect(scanForSecrets(dir, { password: 'hunter2-very-secret' })).toEqual([
      `${join(dir, 'b.html')}: password`,
    ])
    // Inside gzipped data too (Vitest's HTML report).
    const gz = mkdtempSync(join(tmpdir(), 'scan-'))
    writeFileSync(join(gz, 'meta.json.gz'), gzipSync('{"log":"token hunter2-very-secret"}'))
    expect(scanForSecrets(gz, { token: 'hunter2-very-secret' })).toEqual([
      `${join(gz, 'meta.json.gz')}: token`,
    ])
  })
})
