import { describe, expect, it } from 'vitest'
import { datedNames } from './dated-names.ts'

const pattern = 'data/nixfleet.db.v1-backup-{date}'

describe('dated names (v1 backups and archives)', () => {
  it('keeps only names of the inventory form, oldest date first', () => {
    expect(
      datedNames(pattern, [
        'data/nixfleet.db.v1-backup-20261207',
        'data/nixfleet.db.v1-backup-20261207.partial',
        'data/nixfleet.db.v1-backup-20261206',
        'data/nixfleet.db.v1-backup-2026120',
        'data/nixfleet.db.v1-backup-old',
        'data/nixfleetXdb.v1-backup-20261205',
        '',
      ]),
    ).toEqual(['data/nixfleet.db.v1-backup-20261206', 'data/nixfleet.db.v1-backup-20261207'])
  })

  it('reads the date where the pattern puts it, also before a suffix', () => {
    expect(
      datedNames('backups/{date}-v1.db', [
        'backups/20261207-v1.db',
        'backups/20251231-v1.db',
        'backups/20261207-v1.db.partial',
      ]),
    ).toEqual(['backups/20251231-v1.db', 'backups/20261207-v1.db'])
  })

  it('an archive folder: a half-made .partial copy is not the archive', () => {
    expect(
      datedNames('nixfleet-v1-{date}', [
        'nixfleet-v1-20261206.partial',
        'nixfleet-v1-old',
        'nixfleet-v1-20261205',
      ]),
    ).toEqual(['nixfleet-v1-20261205'])
    expect(datedNames('nixfleet-v1-{date}', ['nixfleet-v1-20261206.partial'])).toEqual([])
  })
})
