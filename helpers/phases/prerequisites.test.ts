import { describe, expect, it } from 'vitest'
import { enforcePrerequisites, once, PrerequisiteError, requireSecrets } from './prerequisites.ts'

describe('enforcePrerequisites', () => {
  it('lets a phase start when nothing is unmet', () => {
    expect(() => enforcePrerequisites('phase 2', [], {})).not.toThrow()
  })

  it('refuses with every unmet prerequisite and says how to override', () => {
    expect(() =>
      enforcePrerequisites('phase 2', ['the v1 dashboard still answers', 'no backup'], {}),
    ).toThrow(
      new PrerequisiteError(
        'phase 2 refused, nothing was changed: the v1 dashboard still answers; no backup (MIGRATION_IGNORE_PREREQUISITES=1 overrides)',
      ),
    )
  })

  it('goes ahead when the operator overrides', () => {
    expect(() =>
      enforcePrerequisites('phase 2', ['no backup'], { MIGRATION_IGNORE_PREREQUISITES: '1' }),
    ).not.toThrow()
  })

  it('checks once for many actions, and remembers a refusal', async () => {
    let calls = 0
    const check = once(async () => {
      calls++
      await Promise.resolve()
      throw new Error('unmet')
    })
    await expect(check()).rejects.toThrow('unmet')
    await expect(check()).rejects.toThrow('unmet')
    expect(calls).toBe(1)
  })
})

describe('requireSecrets', () => {
  it('refuses a phase before its first change, naming every missing secret at once', () => {
    expect(() =>
      requireSecrets('phase 1', ['dashboardPassword', 'totpSecret'], {
        NIXFLEET_TOTP_SECRET_FILE: '/nonexistent/totp',
      }),
    ).toThrow(
      /^phase 1 refused, nothing was changed: secret dashboardPassword is not set: export NIXFLEET_PASSWORD=… .*; NIXFLEET_TOTP_SECRET_FILE=\/nonexistent\/totp cannot be read/,
    )
    expect(() =>
      requireSecrets('phase 1', ['dashboardPassword'], { NIXFLEET_PASSWORD: 'pw-for-the-test' }),
    ).not.toThrow()
  })
})
