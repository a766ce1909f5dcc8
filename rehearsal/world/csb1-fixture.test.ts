import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { copyNativeModules, loadedAtRunTime } from './csb1-fixture.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
}

describe("the simulated dashboards' native modules", () => {
  let app = ''
  afterEach(() => rmSync(app, { recursive: true, force: true }))

  it.each([
    ['package.json', true],
    ['lib/database.js', true],
    ['build', true],
    ['build/Release', true],
    ['build/Release/better_sqlite3.node', true],
    ['build/Makefile', false],
    ['build/config.gypi', false],
    ['build/Release/.deps', false],
    ['build/Release/obj.target', false],
    ['build/Release/sqlite3.a', false],
    ['deps', false],
    ['src/better_sqlite3.cpp', false],
  ])('better-sqlite3/%s is copied: %s', (rel, kept) => {
    expect(loadedAtRunTime('better-sqlite3', rel)).toBe(kept)
  })

  it('the copy opens a database and names no path of this checkout', () => {
    app = mkdtempSync(join(tmpdir(), 'native-modules-'))
    copyNativeModules(app)
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(join(app, 'node_modules', 'better-sqlite3'))}); console.log(new D(':memory:').prepare('select 41 + 1 as x').get().x)`,
      ],
      { encoding: 'utf8', cwd: app },
    )
    expect(out.trim()).toBe('42')
    const withPath = files(app).filter((f) => readFileSync(f).includes(ROOT.replace(/\/$/, '')))
    expect(withPath, 'files naming this checkout').toEqual([])
    const bytes = files(app).reduce((n, f) => n + statSync(f).size, 0)
    expect(bytes).toBeLessThan(5 * 1024 * 1024)
  })
})
