import { describe, expect, it } from 'vitest'
import { backupsAmong } from './backup-names.ts'

const pattern = 'data/nixfleet.db.v1-backup-{date}'

describe('v1 backup names', () => {
  it('keeps only names of the inventory form, oldest date first', () => {
    expect(
      backupsAmong(pattern, [
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
      backupsAmong('backups/{date}-v1.db', [
        'backups/20261207-v1.db',
        'backups/20251231-v1.db',
        'backups/20261207-v1.db.partial',
      ]),
    ).toEqual(['backups/20251231-v1.db', 'backups/20261207-v1.db'])
  })
})
