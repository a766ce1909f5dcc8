import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type { RunResults } from './results.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const FIRST_REPORTED = 'reported: a check failing with a remote stderr tail: failed'
const reports = mkdtempSync(join(tmpdir(), 'interrupted-reports-'))
afterAll(() => rmSync(reports, { recursive: true, force: true }))

describe('a run cut short leaves its record', () => {
  it('Ctrl-C during a command: results.json and signoff.html are written, marking what was interrupted', async () => {
    const child = spawn(
      'npx',
      ['vitest', 'run', '--config', 'helpers/report/tests/miniature-run/vitest.config.ts'],
      {
        cwd: ROOT,
        detached: true,
        env: {
          ...process.env,
          NIXFLEET_PASSWORD: 'interrupted-pw-123456',
          NIXFLEET_TOTP_SECRET: 'JBSWY3DPEHPK3PXP',
          NIXFLEET_AGENT_TOKEN: 'interrupted-token-99',
          LEAK_COOKIE: 'cookie-interrupted-1',
          LEAK_CSRF: 'csrf-interrupted-2',
          LEAK_HANG: '1',
          RUNBOOK_REPORTS_DIR: reports,
          RUNBOOK_RUN_ID: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    const hanging = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        output += d.toString()
        // The hang has begun and the main process holds the finished checks' results.
        if (output.includes('hanging now') && output.includes(FIRST_REPORTED)) resolve()
      }),
    )
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    // A miniature run that ends before its hang is a failure to show, not a wait until the timeout.
    const endedFirst = await Promise.race([hanging.then(() => false), exited.then(() => true)])
    expect(endedFirst, `the miniature run ended before it hung:\n${output.slice(-3000)}`).toBe(
      false,
    )
    // As a terminal's Ctrl-C does: the whole process group.
    process.kill(-child.pid!, 'SIGINT')
    const code = await exited
    expect(code, output).not.toBe(0)
    const id = /sign-off report: .*?([^/\s]+)\/signoff\.html/.exec(output)?.[1]
    expect(id, output).toBeDefined()
    const folder = join(reports, id!)
    const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as RunResults
    expect(results.meta.interrupted).toMatch(/^SIGINT at .*: the run was interrupted$/)
    expect(results.unfinished.map((e) => e.command)).toEqual([
      'git -C /nixcfg push --quiet origin HEAD:main',
    ])
    // The checks that had finished keep their results; the one cut off is not a pass.
    const byTitle = new Map(results.checks.map((c) => [c.title, c.status]))
    expect(byTitle.get('a check failing with a remote stderr tail')).toBe('failed')
    expect(byTitle.get('a check whose command never returns')).not.toBe('passed')
    const html = readFileSync(join(folder, 'signoff.html'), 'utf8')
    expect(html).toContain('INTERRUPTED: SIGINT')
    expect(html).toContain('git -C /nixcfg push --quiet origin HEAD:main')
  }, 180_000)
})
