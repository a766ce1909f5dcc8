import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { nixString } from './nix-string.ts'

/** What the real Nix evaluator makes of an expression, as JSON. */
function nixEval(expr: string): { ok: boolean; value?: unknown; error?: string } {
  const r = spawnSync('nix-instantiate', ['--eval', '--strict', '--json', '--expr', expr], {
    encoding: 'utf8',
    timeout: 30_000,
  })
  return r.status === 0
    ? { ok: true, value: JSON.parse(r.stdout) as unknown }
    : { ok: false, error: r.stderr }
}

describe('values written into Nix files', () => {
  it.each([
    'wss://fleet.barta.cm/ws',
    'wss://x/${builtins.readFile /etc/passwd}',
    'a "quoted" \\ back\\slash',
    'line\nbreak\ttab\rcr',
    '$${literal} and $ alone',
  ])('%j reads back as itself through the real Nix evaluator', (value) => {
    expect(nixEval(nixString(value))).toEqual({ ok: true, value })
  })

  it('JSON escaping (what the edit used before) lets an interpolation through', () => {
    const r = nixEval(JSON.stringify('wss://x/${builtins.currentSystem}'))
    expect(r.ok && r.value).not.toBe('wss://x/${builtins.currentSystem}')
  })
})
