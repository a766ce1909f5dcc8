import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveTarget } from './target.ts'
import { targetAccess, TARGET_FILE_VARIABLE } from './target-access.ts'

const dir = mkdtempSync(join(tmpdir(), 'target-access-'))
const description = {
  ssh: { configFile: '/r/ssh_config', knownHostsFiles: ['/r/known_hosts'] },
  https: { caFile: '/r/tls/ca.crt', resolve: { suffix: '.barta.cm', address: '127.0.0.1' } },
  worktree: '/r/nixcfg',
  flakePin: 'rewrite-lock',
  evaluate: { command: ['/r/evaluate'] },
  ledger: '/r/ledger.jsonl',
  person: { by: 'simulated', command: ['/r/person'], deadlineMs: 180_000 },
}

describe('a target is reached as it describes itself', () => {
  it("production: the operator's ~/.ssh, system DNS and CAs, Nix's own pinning, NIXCFG_WORKTREE", () => {
    expect(targetAccess('production', { NIXCFG_WORKTREE: '/home/op/Code/nixcfg' })).toEqual({
      target: 'production',
      ssh: {},
      worktree: { dir: '/home/op/Code/nixcfg' },
      flakePin: 'nix',
      evaluate: 'nix',
      person: { by: 'operator', deadlineMs: 20 * 60_000 },
    })
    const none = targetAccess('production', {}).worktree
    expect('missing' in none && none.missing).toMatch(/^NIXCFG_WORKTREE is not set/)
  })

  it("production: a person's step is the operator's, with MIGRATION_PERSON_DEADLINE's wait; a bad value is named", () => {
    const env = { NIXCFG_WORKTREE: '/w', MIGRATION_PERSON_DEADLINE: '45m' }
    expect(targetAccess('production', env).person).toEqual({
      by: 'operator',
      deadlineMs: 45 * 60_000,
    })
    expect(() =>
      targetAccess('production', { NIXCFG_WORKTREE: '/w', MIGRATION_PERSON_DEADLINE: 'soon' }),
    ).toThrow(/MIGRATION_PERSON_DEADLINE=soon: expected a duration such as 20m/)
  })

  it('a rehearsal: read from the file its set-up wrote', () => {
    const file = join(dir, 'good.json')
    writeFileSync(file, JSON.stringify(description))
    const a = targetAccess('rehearsal', { [TARGET_FILE_VARIABLE]: file })
    expect(a.ssh.configFile).toBe('/r/ssh_config')
    expect(a.https?.resolve.suffix).toBe('.barta.cm')
    expect(a.worktree).toEqual({ dir: '/r/nixcfg' })
  })

  it('a rehearsal without a description, or with a broken one, is an error naming the variable and the file', () => {
    expect(() => targetAccess('rehearsal', {})).toThrow(
      /REHEARSAL_TARGET_FILE is not set, so there is no simulated fleet to reach/,
    )
    const file = join(dir, 'bad.json')
    writeFileSync(file, JSON.stringify({ ...description, flakePin: 'curl' }))
    expect(() => targetAccess('rehearsal', { [TARGET_FILE_VARIABLE]: file })).toThrow(
      new RegExp(`${file} \\(REHEARSAL_TARGET_FILE\\) does not describe a target: .*flakePin`, 's'),
    )
  })

  it('a production run refuses a rehearsal description in its environment', () => {
    expect(() =>
      resolveTarget({
        MIGRATION_TARGET: 'production',
        MIGRATION_CONFIRM: '0123456789ab',
        [TARGET_FILE_VARIABLE]: join(dir, 'good.json'),
      }),
    ).toThrow(/unset REHEARSAL_TARGET_FILE/)
  })
})
