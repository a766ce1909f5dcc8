import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  forceRehearsal,
  rehearsalChildEnv,
  resolveTarget,
  targetBanner,
  TargetError,
} from './target.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CODE = '0123456789ab'

describe('target selection', () => {
  it('is rehearsal by default', () => {
    expect(resolveTarget({})).toBe('rehearsal')
    expect(targetBanner('rehearsal')).toMatch(/REHEARSAL/)
  })

  it('refuses production without confirmation and says how to get one', () => {
    expect(() => resolveTarget({ MIGRATION_TARGET: 'production' })).toThrow(
      /refusing to run against PRODUCTION without a confirmation bound to this plan.*MIGRATION_PLAN=1.*got nothing/,
    )
  })

  it('refuses the exported word "production" as a confirmation: it is not bound to a plan', () => {
    expect(() =>
      resolveTarget({ MIGRATION_TARGET: 'production', MIGRATION_CONFIRM: 'production' }),
    ).toThrow(/an exported word such as "production" is not a confirmation; got "production"/)
  })

  it('accepts production with a plan confirmation code, or in plan mode without one', () => {
    expect(resolveTarget({ MIGRATION_TARGET: 'production', MIGRATION_CONFIRM: CODE })).toBe(
      'production',
    )
    expect(resolveTarget({ MIGRATION_TARGET: 'production', MIGRATION_PLAN: '1' })).toBe(
      'production',
    )
    expect(targetBanner('production')).toMatch(/PRODUCTION/)
  })

  it('refuses a production run with any REHEARSAL_* variable set', () => {
    expect(() =>
      resolveTarget({
        MIGRATION_TARGET: 'production',
        MIGRATION_CONFIRM: CODE,
        REHEARSAL_FAULTS: 'host-unreachable:gpc0',
      }),
    ).toThrow(/rehearsal settings in the environment: unset REHEARSAL_FAULTS/)
  })

  it('refuses an unknown target', () => {
    expect(() => resolveTarget({ MIGRATION_TARGET: 'prod' })).toThrow(/"prod" is not a target/)
  })
})

describe('rehearsal-only runs', () => {
  it('refuse a production target from the environment and pin the rehearsal otherwise', () => {
    const told: NodeJS.ProcessEnv = { MIGRATION_TARGET: 'production', MIGRATION_CONFIRM: CODE }
    expect(() => forceRehearsal('the fleet tests', told)).toThrow(TargetError)
    expect(() => forceRehearsal('the fleet tests', told)).toThrow(
      /the fleet tests only rehearses: refusing to start with MIGRATION_TARGET=production/,
    )
    const plain: NodeJS.ProcessEnv = { MIGRATION_CONFIRM: 'production' }
    forceRehearsal('the unit tests', plain)
    expect(plain).toEqual({ MIGRATION_TARGET: 'rehearsal' })
  })

  it('give child processes an environment without production settings or real secrets', () => {
    const env = rehearsalChildEnv(
      { REHEARSAL_FAULTS: 'x:y' },
      {
        PATH: '/bin',
        MIGRATION_TARGET: 'production',
        MIGRATION_CONFIRM: CODE,
        NIXFLEET_PASSWORD: 'real-password',
        NIXFLEET_TOTP_SECRET_FILE: '/home/op/totp',
        NIXCFG_WORKTREE: '/home/op/nixcfg',
        SSH_AUTH_SOCK: '/tmp/agent',
        HOSTS: 'csb1',
      },
    )
    expect(env).toEqual({ PATH: '/bin', MIGRATION_TARGET: 'rehearsal', REHEARSAL_FAULTS: 'x:y' })
  })

  // The npm scripts an operator runs with production exported in the shell (as the
  // README's production section has them export it): each refuses at once.
  it.each(['test', 'rehearse', 'test:fleet', 'rehearse:faults', 'bench:rehearsal', 'bench'])(
    '`npm run %s` with production exported refuses at once, before anything starts',
    (script) => {
      const r = spawnSync('npm', ['run', '--silent', script], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, MIGRATION_TARGET: 'production', MIGRATION_CONFIRM: 'production' },
      })
      expect(r.status, r.stdout + r.stderr).toBe(2)
      expect(r.stderr).toContain(
        'only rehearses: refusing to start with MIGRATION_TARGET=production',
      )
      // Nothing after the guard ran: no lint, no fleet, no run folder.
      expect(r.stdout + r.stderr).not.toMatch(/eslint|fleet up|run: reports/)
    },
  )
})
