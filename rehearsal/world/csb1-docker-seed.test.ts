import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { seedKey, type SeedSources } from './csb1-docker-seed.ts'

/** A main stack directory and a nixfleet repository with one v1 commit, in a temporary place. */
function sources(): SeedSources & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'seed-key-'))
  const mainStack = join(dir, 'docker')
  mkdirSync(join(mainStack, 'front', 'config'), { recursive: true })
  writeFileSync(join(mainStack, 'docker-compose.yml'), 'services: {}\n')
  writeFileSync(join(mainStack, 'front', 'front.mjs'), 'console.log(1)\n')
  writeFileSync(join(mainStack, 'front', 'config', 'tls.key'), 'rehearsal key 1\n')
  const work = join(dir, 'nixfleet')
  const git = (...a: string[]): string =>
    execFileSync('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@t', ...a], {
      encoding: 'utf8',
    }).trim()
  mkdirSync(work)
  git('init', '-q')
  writeFileSync(join(work, 'Dockerfile'), 'FROM nixfleet-base:bookworm\n')
  git('add', '-A')
  git('commit', '-qm', 'v1')
  return {
    dir,
    csb1Image: 'runbook-csb1:aaaaaaaaaaaa',
    mainStack,
    nixfleetBare: join(work, '.git'),
    v1Commit: git('rev-parse', 'HEAD'),
  }
}

describe("csb1's Docker seed key", () => {
  it('is the same for the same inputs, whatever the rehearsal certificate and key', () => {
    const s = sources()
    const before = seedKey(s)
    writeFileSync(join(s.mainStack, 'front', 'config', 'tls.key'), 'rehearsal key 2\n')
    expect(seedKey(s)).toBe(before)
  })

  it('changes with a built-in file, the v1 tree or the csb1 image', () => {
    const s = sources()
    const before = seedKey(s)
    expect(seedKey({ ...s, csb1Image: 'runbook-csb1:bbbbbbbbbbbb' })).not.toBe(before)
    writeFileSync(join(s.mainStack, 'front', 'front.mjs'), 'console.log(2)\n')
    const afterFront = seedKey(s)
    expect(afterFront).not.toBe(before)
    const work = join(s.dir, 'nixfleet')
    writeFileSync(join(work, 'Dockerfile'), 'FROM nixfleet-base:bookworm\nENV X=1\n')
    execFileSync('git', [
      '-C',
      work,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@t',
      'commit',
      '-qam',
      'v1b',
    ])
    const head = execFileSync('git', ['-C', work, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()
    expect(seedKey({ ...s, v1Commit: head })).not.toBe(afterFront)
  })
})
