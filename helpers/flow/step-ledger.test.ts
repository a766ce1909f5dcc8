import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { doOnce, forcedSteps, StepLedger } from './step-ledger.ts'

const dir = mkdtempSync(join(tmpdir(), 'ledger-'))
let ledger: StepLedger
let n = 0
beforeEach(() => {
  ledger = new StepLedger(join(dir, `ledger-${++n}.jsonl`))
  process.env.RUNBOOK_RUN_ID = `run-${n}`
})
afterEach(() => {
  delete process.env.STEPS
})

const reboot = (boot: string, calls: string[]) => ({
  step: '2.4' as const,
  key: 'csb1 rebooted after dashboard container abc was deployed',
  stillHolds: (e: { after: string }) => Promise.resolve(e.after === boot),
  action: () => {
    calls.push('reboot')
    return Promise.resolve({ after: 'boot-2' })
  },
})

describe('a proven step is not repeated by a re-run', () => {
  it('the second run finds the reboot in the ledger and does not reboot', async () => {
    const calls: string[] = []
    const first = await doOnce(ledger, reboot('boot-2', calls))
    expect(first).toEqual({ value: { after: 'boot-2' } })
    const again = await doOnce(ledger, reboot('boot-2', calls))
    expect(calls).toEqual(['reboot'])
    expect(again.earlier?.runId).toBe(`run-${n}`)
    expect(readFileSync(ledger.file, 'utf8').trim().split('\n')).toHaveLength(1)
  })

  it('a proof that no longer holds on the host (another boot since) is done again', async () => {
    const calls: string[] = []
    await doOnce(ledger, reboot('boot-2', calls))
    await doOnce(ledger, reboot('boot-3', calls))
    expect(calls).toEqual(['reboot', 'reboot'])
  })

  it('a failed action records nothing', async () => {
    await expect(
      doOnce(ledger, {
        ...reboot('boot-2', []),
        action: () => Promise.reject(new Error('csb1: did not come back')),
      }),
    ).rejects.toThrow('did not come back')
    expect(ledger.find('csb1 rebooted after dashboard container abc was deployed')).toBeUndefined()
  })

  it('STEPS=2.4 repeats it; an unknown step id is refused naming the known ones', async () => {
    const calls: string[] = []
    await doOnce(ledger, reboot('boot-2', calls))
    process.env.STEPS = '2.4'
    await doOnce(ledger, reboot('boot-2', calls))
    expect(calls).toEqual(['reboot', 'reboot'])
    expect(() => forcedSteps({ STEPS: '2.4,2.9' })).toThrow(
      /STEPS: 2\.9 is not a step that can be forced \(known: 2\.4 = reboot csb1 after the deploy; 2\.6 = /,
    )
  })
})
