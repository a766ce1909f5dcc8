import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { quote, remotePath, sh } from './quote.ts'

const shellEcho = (cmd: string): string =>
  execFileSync('sh', ['-c', cmd], { env: { HOME: '/home/mba', PATH: process.env.PATH } }).toString()

describe('remote-shell quoting', () => {
  it('passes hostile values through sh unchanged', () => {
    for (const v of [`it's`, '$(reboot)', '`id`', 'a b\tc', '"; rm -rf /', '', '*']) {
      expect(shellEcho(sh`printf %s ${v}`)).toBe(v)
    }
  })

  it('leaves plain words bare and expands ~/ as the remote home', () => {
    expect(quote('hsb0')).toBe('hsb0')
    expect(shellEcho(sh`printf %s ${remotePath('~/Code/nix cfg')}`)).toBe('/home/mba/Code/nix cfg')
    expect(() => remotePath('~markus/x')).toThrow(/only ~\//)
  })

  it('joins arrays as separate arguments', () => {
    expect(shellEcho(sh`printf '[%s]' ${['a b', 'c']}`)).toBe('[a b][c]')
  })
})
