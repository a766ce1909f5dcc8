import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { scanForSecrets } from './secret-scan.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CONFIG = 'helpers/report/tests/miniature-run/vitest.config.ts'

// Secrets of every awkward kind: markup characters, numeric and short, two characters.
const SECRETS = {
  NIXFLEET_PASSWORD: `pa<ss>&"wo'rd-${process.pid}`,
  NIXFLEET_TOTP_SECRET: 'JBSWY3DPEHPK3PXPKRUGS4ZANFZSA5DP',
  NIXFLEET_AGENT_TOKEN: '4711',
  LEAK_COOKIE: 'c0ok1e-v4lue/with+chars=',
  LEAK_CSRF: 'Qx',
}
const reports = mkdtempSync(join(tmpdir(), 'secret-leak-reports-'))
afterAll(() => rmSync(reports, { recursive: true, force: true }))

function run(plant: boolean): { status: number | null; output: string; folder: string } {
  const r = spawnSync('npx', ['vitest', 'run', '--config', CONFIG], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      ...SECRETS,
      RUNBOOK_REPORTS_DIR: reports,
      RUNBOOK_RUN_ID: '',
      ...(plant ? { LEAK_PLANT: '1' } : {}),
    },
  })
  const id = /sign-off report: .*?([^/\s]+)\/signoff\.html/.exec(r.stderr)?.[1]
  if (!id) throw new Error(`no sign-off report was written:\n${r.stdout}\n${r.stderr}`)
  return { status: r.status, output: r.stdout + r.stderr, folder: join(reports, id) }
}

describe('secrets in a runbook run reach no file and no output', () => {
  it('checks and actions failing with every secret leave no copy in the run folder or the output', () => {
    const r = run(false)
    expect(r.status, 'the checks fail').toBe(1)
    expect(r.output).toContain('secret scan: no known secret')
    for (const f of ['results.json', 'signoff.html', 'junit.xml', 'baseline.json'])
      expect(existsSync(join(r.folder, f)), f).toBe(true)
    expect(readdirSync(join(r.folder, 'vitest')).length).toBeGreaterThan(0)
    // Every file, every form (escaped, encoded, base64, gzipped), short secrets included.
    expect(scanForSecrets(r.folder, SECRETS)).toEqual([])
    // What Vitest printed in the main process too (failures with their messages and diffs).
    const printed = mkdtempSync(join(tmpdir(), 'secret-leak-output-'))
    writeFileSync(join(printed, 'output.txt'), r.output)
    expect(scanForSecrets(printed, SECRETS)).toEqual([])
    rmSync(printed, { recursive: true })
    // Redacted, not dropped, and the JSON still parses with short secrets in it.
    const results = JSON.parse(readFileSync(join(r.folder, 'results.json'), 'utf8')) as {
      checks: { title: string; reason?: string }[]
    }
    const reason = results.checks.find((c) => c.title.includes('remote stderr'))?.reason ?? ''
    expect(reason).toContain('«redacted:NIXFLEET_PASSWORD»')
    expect(reason).toContain('«redacted:nixfleet_session»')
    expect(reason).toContain('«redacted:csrf_token»')
    expect(reason).toContain('«redacted:NIXFLEET_AGENT_TOKEN»')
    const action = results.checks.find((c) => c.title === 'its check')?.reason ?? ''
    expect(action).toMatch(/the phase's actions failed: log line: «redacted:NIXFLEET_PASSWORD»/)
  }, 150_000)

  it('the end-of-run scan catches a copy written around the redaction layer and fails the run', () => {
    const r = run(true)
    expect(r.status).toBe(1)
    expect(r.output).toMatch(
      /SECRET FOUND in the report folder:\n.*planted\.b64\.gz: NIXFLEET_PASSWORD/,
    )
  }, 150_000)
})
