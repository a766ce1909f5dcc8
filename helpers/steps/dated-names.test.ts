import { describe, expect, it } from 'vitest'
import { datedListCommand, datedNames } from './dated-names.ts'

describe('dated names (v1 backups and archives)', () => {
  it.each([
    {
      what: 'keeps only names of the inventory form, oldest date first',
      pattern: 'data/nixfleet.db.v1-backup-{date}',
      names: [
        'data/nixfleet.db.v1-backup-20261207',
        'data/nixfleet.db.v1-backup-20261207.partial',
        'data/nixfleet.db.v1-backup-20261206',
        'data/nixfleet.db.v1-backup-2026120',
        'data/nixfleet.db.v1-backup-old',
        'data/nixfleetXdb.v1-backup-20261205',
        '',
      ],
      kept: ['data/nixfleet.db.v1-backup-20261206', 'data/nixfleet.db.v1-backup-20261207'],
    },
    {
      what: 'reads the date where the pattern puts it, also before a suffix',
      pattern: 'backups/{date}-v1.db',
      names: ['backups/20261207-v1.db', 'backups/20251231-v1.db', 'backups/20261207-v1.db.partial'],
      kept: ['backups/20251231-v1.db', 'backups/20261207-v1.db'],
    },
    {
      what: 'an archive folder: a half-made .partial copy is not the archive',
      pattern: 'nixfleet-v1-{date}',
      names: ['nixfleet-v1-20261206.partial', 'nixfleet-v1-old', 'nixfleet-v1-20261205'],
      kept: ['nixfleet-v1-20261205'],
    },
    {
      what: 'only a .partial copy: no archive at all',
      pattern: 'nixfleet-v1-{date}',
      names: ['nixfleet-v1-20261206.partial'],
      kept: [],
    },
  ])('$what', ({ pattern, names, kept }) => {
    expect(datedNames(pattern, names)).toEqual(kept)
  })

  it.each([
    ['data/nixfleet.db.v1-backup-{date}', 'ls -1d -- data/nixfleet.db.v1-backup-* 2>/dev/null'],
    ['nixfleet-v1-{date}', 'ls -1d -- nixfleet-v1-* 2>/dev/null'],
    ['old backups/v1-{date}', "ls -1d -- 'old backups/v1-'* 2>/dev/null"],
  ])('lists the candidates for %s with everything before {date}', (pattern, command) => {
    expect(datedListCommand(pattern)).toBe(command)
  })
})
