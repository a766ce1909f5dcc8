import { describe, expect, it } from 'vitest'
import { parseHostList } from './host-list.ts'

describe('parseHostList', () => {
  const eligible = ['gpc0', 'mba-mbp-work']

  it('reads a comma-separated list, trimming and removing repeats', () => {
    expect(parseHostList('V', ' gpc0, mba-mbp-work ,gpc0', eligible, 'fleet.yaml')).toEqual([
      'gpc0',
      'mba-mbp-work',
    ])
  })

  it('gives nothing when the variable is unset, and refuses one set but naming no host', () => {
    expect(parseHostList('V', undefined, eligible, 'fleet.yaml')).toBeUndefined()
    // HOSTS="$TYPO" expands to nothing: that must not widen the run to every host.
    for (const blank of ['', '  ', ' , '])
      expect(() => parseHostList('HOSTS', blank, eligible, 'fleet.yaml')).toThrow(
        'HOSTS is set but names no host: give host names (comma-separated), or unset HOSTS',
      )
  })

  it('refuses a name that is not eligible, naming the variable, the name and the file', () => {
    expect(() =>
      parseHostList('ROLLBACK_AGENT_HOSTS', 'gpc0,hsb9', eligible, 'fleet.yaml'),
    ).toThrow(
      'ROLLBACK_AGENT_HOSTS: hsb9 is not eligible in fleet.yaml (eligible: gpc0, mba-mbp-work)',
    )
  })
})
