import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TARGET_FILE_VARIABLE } from '../config/target-access.ts'
import { commitFor } from './dashboard-revision.ts'

const dir = mkdtempSync(join(tmpdir(), 'dashboard-revision-'))
const REAL = 'e5798044ddd69d2782a9a55d8c59910cc736710a'
const STAND_IN = '1111111111111111111111111111111111111111'
writeFileSync(join(dir, 'stand-ins.json'), JSON.stringify({ [REAL]: STAND_IN }))
writeFileSync(
  join(dir, 'target.json'),
  JSON.stringify({
    ssh: { configFile: '/x', knownHostsFiles: [] },
    https: { caFile: '/x', resolve: { suffix: '.barta.cm', address: '127.0.0.1' } },
    worktree: '/x',
    flakePin: 'rewrite-lock',
    evaluate: { command: ['true'] },
    ledger: '/x',
    person: { by: 'simulated', command: ['true'], deadlineMs: 1000 },
    nixfleetStandIns: join(dir, 'stand-ins.json'),
  }),
)
const previous = process.env[TARGET_FILE_VARIABLE]
process.env[TARGET_FILE_VARIABLE] = join(dir, 'target.json')

afterAll(() => {
  if (previous === undefined) delete process.env[TARGET_FILE_VARIABLE]
  else process.env[TARGET_FILE_VARIABLE] = previous
  rmSync(dir, { recursive: true, force: true })
})

describe("the dashboard's pinned revision", () => {
  it('production checks out the real revision as it is', () => {
    expect(commitFor('production', REAL)).toBe(REAL)
  })

  it('a rehearsal checks out the fixture commit standing in for it', () => {
    expect(commitFor('rehearsal', REAL)).toBe(STAND_IN)
  })

  it('an invented revision (the padded 3999ab9 of an older inventory) is refused, named', () => {
    expect(() => commitFor('rehearsal', '3999ab9f1c2d4e5f60718293a4b5c6d7e8f90a1b')).toThrow(
      /dashboard\.revision 3999ab9f1c2d4e5f60718293a4b5c6d7e8f90a1b: the rehearsal's nixfleet remote has no commit standing in for it \(it models 1 real revisions/,
    )
  })
})
