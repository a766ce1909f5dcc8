import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { hashFiles } from './build-images.ts'

describe('image tags (hashFiles)', () => {
  const root = mkdtempSync(join(tmpdir(), 'hash-files-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  const one = join(root, 'one')
  const two = join(root, 'deeper', 'clone', 'two')
  cpSync(join(import.meta.dirname, 'base'), join(one, 'base'), { recursive: true })
  cpSync(join(import.meta.dirname, 'base'), join(two, 'base'), { recursive: true })

  it('the same content at two paths gives the same tag (a second clone reuses the images)', () => {
    expect(hashFiles([join(one, 'base')], one, 'x')).toBe(hashFiles([join(two, 'base')], two, 'x'))
  })

  it('a changed file, an added file or other extra input gives another tag', () => {
    const before = hashFiles([join(one, 'base')], one, 'x')
    expect(hashFiles([join(one, 'base')], one, 'y')).not.toBe(before)
    writeFileSync(join(two, 'base', 'packages.txt'), 'changed\n')
    expect(hashFiles([join(two, 'base')], two, 'x')).not.toBe(before)
    writeFileSync(join(one, 'base', 'added.txt'), '')
    expect(hashFiles([join(one, 'base')], one, 'x')).not.toBe(before)
  })
})
