// Runbook files only: each check's commands are recorded under its name.
import { afterEach, beforeEach } from 'vitest'
import { setCurrentTest } from '../transcript/current-test.ts'

beforeEach((ctx) => {
  setCurrentTest(ctx.task.name)
})

afterEach(() => {
  setCurrentTest(undefined)
})
