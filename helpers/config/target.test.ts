import { describe, expect, it } from 'vitest'
import { resolveTarget, targetBanner } from './target.ts'

describe('target selection', () => {
  it('is rehearsal by default', () => {
    expect(resolveTarget({})).toBe('rehearsal')
    expect(targetBanner('rehearsal')).toMatch(/REHEARSAL/)
  })

  it('refuses production without confirmation and says how to confirm', () => {
    expect(() => resolveTarget({ MIGRATION_TARGET: 'production' })).toThrow(
      /refusing to run against PRODUCTION.*set MIGRATION_CONFIRM=production/,
    )
    expect(() =>
      resolveTarget({ MIGRATION_TARGET: 'production', MIGRATION_CONFIRM: 'yes' }),
    ).toThrow(/MIGRATION_CONFIRM=production/)
  })

  it('accepts production only with the confirming word', () => {
    expect(resolveTarget({ MIGRATION_TARGET: 'production', MIGRATION_CONFIRM: 'production' })).toBe(
      'production',
    )
    expect(targetBanner('production')).toMatch(/PRODUCTION/)
  })

  it('refuses an unknown target', () => {
    expect(() => resolveTarget({ MIGRATION_TARGET: 'prod' })).toThrow(/"prod" is not a target/)
  })
})
