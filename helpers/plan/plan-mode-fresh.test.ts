import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { rehearsalChildEnv } from '../config/target.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const state = mkdtempSync(join(tmpdir(), 'fresh-state-'))
const reports = mkdtempSync(join(tmpdir(), 'fresh-reports-'))
afterAll(() => {
  rmSync(state, { recursive: true, force: true })
  rmSync(reports, { recursive: true, force: true })
})

describe('plan mode as a new user meets it', () => {
  it('on a machine where no fleet was ever started, phase 1 prints its plan and starts nothing', () => {
    // No state folder at all, as in a fresh clone: no keys, no secrets, no working copy, no fleet.
    const fresh = join(state, 'never-made')
    const r = spawnSync('npx', ['vitest', 'run', '--project', 'runbook', 'specs/phase1'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 3 * 60_000,
      env: rehearsalChildEnv({
        MIGRATION_PLAN: '1',
        REHEARSAL_STATE_DIR: fresh,
        RUNBOOK_REPORTS_DIR: reports,
      }),
    })
    const out = r.stdout + r.stderr
    expect(r.status, out.slice(-3000)).toBe(0)
    expect(out).toContain('rehearsal: plan mode, no fleet running: none is started')
    expect(out).toContain('=== PLAN: Phase 1: Decommission v1 (nothing below has been done) ===')
    expect(out).toMatch(/is not a git working copy \(the run would stop here\)/)
    expect(out).toMatch(/confirmation code of this plan \(Phase 1: Decommission v1\): [0-9a-f]{12}/)
    expect(out).not.toMatch(/ENOENT|Unhandled/)
    expect(out).not.toMatch(/rehearsal fleet up/)
    expect(readdirSync(fresh).sort()).toEqual(['secrets.json', 'target.json'])
  }, 200_000)
})
