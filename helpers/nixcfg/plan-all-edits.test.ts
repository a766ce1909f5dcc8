import { describe, expect, it } from 'vitest'
import type { HostSpec } from '../inventory/load-inventory.ts'
import { planAllEdits } from './plan-all-edits.ts'

const spec = (name: string): HostSpec =>
  ({ name, config_file: `hosts/${name}/configuration.nix` }) as HostSpec

describe('planAllEdits', () => {
  it('plans every host file under the working copy', () => {
    expect(planAllEdits('/w', [spec('hsb0'), spec('gpc0')], (f) => f)).toEqual([
      '/w/hosts/hsb0/configuration.nix',
      '/w/hosts/gpc0/configuration.nix',
    ])
  })

  it('one refused file stops them all, and every refusal is named by host', () => {
    const refuse = (f: string): string => {
      if (!f.includes('gpc0')) throw new Error(`${f}: lib.mkForce`)
      return f
    }
    expect(() => planAllEdits('/w', [spec('hsb0'), spec('gpc0'), spec('hsb1')], refuse)).toThrow(
      'nixcfg: nothing was changed, because:\nhsb0: /w/hosts/hsb0/configuration.nix: lib.mkForce\nhsb1: /w/hosts/hsb1/configuration.nix: lib.mkForce',
    )
  })
})
