import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { REPORTS_DIR } from '../transcript/run-folder.ts'
import { provenStart, recordProvenStart } from './proven-stable.ts'

describe('proven agent starts', () => {
  const id = `test-proven-${process.pid}`
  afterEach(() => {
    delete process.env.RUNBOOK_RUN_ID
    rmSync(join(REPORTS_DIR, id), { recursive: true, force: true })
  })

  it('knows nothing it was not told', () => {
    expect(provenStart('nowhere\u0000nixfleet-agent')).toBeUndefined()
  })

  it('in a run, is kept in the run folder for the run’s later spec files', () => {
    mkdirSync(join(REPORTS_DIR, id), { recursive: true })
    process.env.RUNBOOK_RUN_ID = id
    recordProvenStart('gpc0\u0000nixfleet-agent', 'inv-1')
    recordProvenStart('mba-mbp-work', 'boot:812')
    const saved = JSON.parse(
      readFileSync(join(REPORTS_DIR, id, 'proven-stable.json'), 'utf8'),
    ) as unknown
    expect(saved).toEqual({ 'gpc0\u0000nixfleet-agent': 'inv-1', 'mba-mbp-work': 'boot:812' })
    expect(provenStart('gpc0\u0000nixfleet-agent')).toBe('inv-1')
  })
})
