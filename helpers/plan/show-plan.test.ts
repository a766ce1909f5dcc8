import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPORTS_DIR } from '../transcript/run-folder.ts'
import { PhasePlan } from './phase-plan.ts'
import { confirmPlan } from './show-plan.ts'

const RUN_ID = `unit-show-plan-${process.pid}`

function plan(commit: string): PhasePlan {
  return new PhasePlan('phase 1')
    .note('nixcfg', `working copy at ${commit}`)
    .command('hsb0', 'cd ~/Code/nixcfg && git pull --ff-only && sudo -n nixos-rebuild switch')
}

describe('production confirmation bound to the plan', () => {
  beforeAll(() => {
    process.env.RUNBOOK_RUN_ID = RUN_ID
    mkdirSync(join(REPORTS_DIR, RUN_ID), { recursive: true })
  })
  afterAll(() => {
    rmSync(join(REPORTS_DIR, RUN_ID), { recursive: true, force: true })
    delete process.env.RUNBOOK_RUN_ID
  })

  it('a plan has a stable code that changes with any step', () => {
    expect(plan('abc1234').code()).toMatch(/^[0-9a-f]{12}$/)
    expect(plan('abc1234').code()).toBe(plan('abc1234').code())
    expect(plan('abc1235').code()).not.toBe(plan('abc1234').code())
  })

  it('production acts only with the code of the plan it would run now', () => {
    const code = plan('abc1234').code()
    expect(() =>
      confirmPlan('production', () => plan('abc1234'), 'plan-phase1.json', {
        MIGRATION_CONFIRM: code,
      }),
    ).not.toThrow()
    const saved = JSON.parse(
      readFileSync(join(REPORTS_DIR, RUN_ID, 'plan-phase1.json'), 'utf8'),
    ) as { code: string }
    expect(saved.code).toBe(code)
    // The working copy moved since the review: the old code no longer confirms.
    expect(() =>
      confirmPlan('production', () => plan('def5678'), 'plan-phase1.json', {
        MIGRATION_CONFIRM: code,
      }),
    ).toThrow(
      /phase 1: refused, nothing was changed: the plan above has confirmation code [0-9a-f]{12}, which is not in MIGRATION_CONFIRM/,
    )
    expect(() =>
      confirmPlan('production', () => plan('abc1234'), 'plan-phase1.json', {
        MIGRATION_CONFIRM: 'production',
      }),
    ).toThrow(/not in MIGRATION_CONFIRM \(production\)/)
  })

  it('the rehearsal needs no confirmation and builds no plan', () => {
    let built = false
    confirmPlan(
      'rehearsal',
      () => {
        built = true
        return plan('x')
      },
      'plan-phase1.json',
      {},
    )
    expect(built).toBe(false)
  })
})
