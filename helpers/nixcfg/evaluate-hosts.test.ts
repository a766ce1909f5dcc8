import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { useSimulatedEvaluator } from '../testing/evaluator-target.ts'
import { planRemoveV1Only } from './edit-host-file.ts'
import { hostsThatFailToEvaluate, nixEvalInstallable } from './evaluate-hosts.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const V2 = 'e5798044ddd69d2782a9a55d8c59910cc736710a'
const HOSTS = [
  { host: 'hsb0', kind: 'nixos' as const, attr: 'hsb0' },
  { host: 'mba-mbp-work', kind: 'home' as const, attr: 'mba@mba-mbp-work' },
]

/** The nixcfg fixture with nixfleet pinned to `rev`. */
function flakePinnedTo(rev: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'eval-hosts-'))
  cpSync(join(ROOT, 'fixtures', 'nixcfg'), dir, { recursive: true })
  const lock = JSON.parse(readFileSync(join(dir, 'flake.lock'), 'utf8')) as {
    nodes: { nixfleet: { locked: { rev: string } } }
  }
  lock.nodes.nixfleet.locked.rev = rev
  writeFileSync(join(dir, 'flake.lock'), JSON.stringify(lock))
  return dir
}

describe('every host evaluated under a new pin, before it is committed', () => {
  useSimulatedEvaluator()

  it('hosts still carrying v1-only options fail under the v2 pin, each named with the option', () => {
    expect(hostsThatFailToEvaluate('rehearsal', flakePinnedTo(V2), HOSTS)).toEqual([
      expect.stringMatching(
        /^hsb0: error: The option `services\.nixfleet-agent\.deviceType' does not exist/,
      ),
      expect.stringMatching(
        /^mba-mbp-work: error: The option `services\.nixfleet-agent\.deviceType' does not exist/,
      ),
    ])
  })

  it('with those options removed (enable kept), every host evaluates', () => {
    const dir = flakePinnedTo(V2)
    for (const f of ['hosts/hsb0/configuration.nix', 'hosts/mba-mbp-work/home.nix']) {
      const e = planRemoveV1Only(join(dir, f))
      writeFileSync(join(dir, f), e.after)
    }
    expect(hostsThatFailToEvaluate('rehearsal', dir, HOSTS)).toEqual([])
  })

  it('production asks Nix for each host’s agent enable in the flake as it is on disk', () => {
    expect(nixEvalInstallable('/tmp/x', { kind: 'home', attr: 'mba@mba-mbp-work' })).toBe(
      'path:/tmp/x#homeConfigurations."mba@mba-mbp-work".config.services.nixfleet-agent.enable',
    )
  })
})
