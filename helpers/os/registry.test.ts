import { describe, expect, it } from 'vitest'
import { MacosAdapter } from './macos.ts'
import { NixosAdapter } from './nixos.ts'
import { KNOWN_OSES, osAdapterFor } from './registry.ts'

describe('OS adapters come from a registry keyed by the inventory os', () => {
  it('gives each known OS its adapter', () => {
    expect(osAdapterFor({ name: 'gpc0', os: 'nixos' })).toBeInstanceOf(NixosAdapter)
    expect(osAdapterFor({ name: 'mba-mbp-work', os: 'macos' })).toBeInstanceOf(MacosAdapter)
    expect(KNOWN_OSES).toEqual(['nixos', 'macos'])
  })

  it('an OS without an adapter is an error naming the host, never treated as macOS', () => {
    expect(() => osAdapterFor({ name: 'pi4', os: 'raspbian' })).toThrow(
      'pi4: inventory says os: raspbian, which the runbook has no adapter for (known: nixos, macos)',
    )
  })
})
