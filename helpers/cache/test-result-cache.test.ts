import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { runTestsCached, testRunKey } from './test-result-cache.ts'

describe('test result cache', () => {
  let root: string
  let runs: string
  const run = (script: string, useCache = true) =>
    runTestsCached({
      root,
      inputs: ['src'],
      command: ['sh', '-c', `echo run >> "${runs}"; ${script}`],
      cacheDir: join(root, 'cache'),
      timeoutMs: 10_000,
      useCache,
    })
  const timesRun = (): number =>
    existsSync(runs) ? readFileSync(runs, 'utf8').split('\n').filter(Boolean).length : 0

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'test-cache-'))
    runs = join(root, 'runs.log')
    mkdirSync(join(root, 'src'))
    writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 1\n')
  })

  it('a pass is reused for the same inputs: the command does not run again', () => {
    const first = run('exit 0')
    expect(first).toMatchObject({ status: 0 })
    expect(first.cached).toBeUndefined()
    const second = run('exit 0')
    expect(second.status).toBe(0)
    expect(second.cached?.key).toBe(
      testRunKey({ root, inputs: ['src'], command: second.cached!.command }),
    )
    expect(timesRun()).toBe(1)
  })

  it('a changed input runs the tests again', () => {
    run('exit 0')
    writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 2\n')
    expect(run('exit 0').cached).toBeUndefined()
    writeFileSync(join(root, 'src', 'b.ts'), 'export const b = 1\n')
    expect(run('exit 0').cached).toBeUndefined()
    expect(timesRun()).toBe(3)
  })

  it('a tool cache in a node_modules folder among the inputs is not an input (a unit run writes one)', () => {
    run('exit 0')
    mkdirSync(join(root, 'src', 'node_modules', '.vite'), { recursive: true })
    writeFileSync(join(root, 'src', 'node_modules', '.vite', 'results.json'), '{"duration":1}')
    expect(run('exit 0').cached).toBeDefined()
    writeFileSync(join(root, 'src', 'node_modules', '.vite', 'results.json'), '{"duration":2}')
    expect(run('exit 0').cached).toBeDefined()
    expect(timesRun()).toBe(1)
  })

  it('a failure is never recorded: a failing suite runs, and fails, every time', () => {
    const first = run('echo "1 failed" >&2; exit 1')
    const second = run('echo "1 failed" >&2; exit 1')
    expect([first.status, second.status]).toEqual([1, 1])
    expect(second.cached).toBeUndefined()
    expect(second.output).toContain('1 failed')
    expect(timesRun()).toBe(2)
  })

  it('a run that times out is a failure, not a pass', () => {
    const r = runTestsCached({
      root,
      inputs: ['src'],
      command: ['sleep', '5'],
      cacheDir: join(root, 'cache'),
      timeoutMs: 200,
      useCache: true,
    })
    expect(r.status).toBeNull()
    expect(r.cached).toBeUndefined()
  })

  it('useCache false runs the tests even when the same inputs passed', () => {
    run('exit 0')
    expect(run('exit 0', false).cached).toBeUndefined()
    expect(timesRun()).toBe(2)
  })

  it('a torn record is no record: the tests run', () => {
    run('exit 0')
    const key = testRunKey({
      root,
      inputs: ['src'],
      command: ['sh', '-c', `echo run >> "${runs}"; exit 0`],
    })
    writeFileSync(join(root, 'cache', `${key}.json`), '{"key": "')
    expect(run('exit 0').cached).toBeUndefined()
    expect(timesRun()).toBe(2)
  })

  it('an input that does not exist is refused by name', () => {
    expect(() => testRunKey({ root, inputs: ['nope'], command: ['true'] })).toThrow(
      /input nope does not exist/,
    )
  })
})
