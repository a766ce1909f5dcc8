// Runbook files only: each check's commands are recorded under its name, and
// after each file the run's folder is searched for the secrets this worker
// learnt (the dashboard session cookie exists only here, in memory).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach } from 'vitest'
import { scanForSecrets } from '../report/secret-scan.ts'
import { registeredSecrets } from '../secrets/redact.ts'
import { setCurrentTest } from '../transcript/current-test.ts'
import { REPORTS_DIR } from '../transcript/run-folder.ts'

beforeEach((ctx) => {
  setCurrentTest(ctx.task.name)
})

afterEach(() => {
  setCurrentTest(undefined)
})

afterAll(() => {
  const id = process.env.RUNBOOK_RUN_ID
  if (!id) return
  const folder = join(REPORTS_DIR, id)
  if (!existsSync(folder)) return
  // Labels only: the values never leave this process.
  const hits = scanForSecrets(folder, registeredSecrets())
  if (hits.length) throw new Error(`secret found in the run's folder: ${hits.join('; ')}`)
})
