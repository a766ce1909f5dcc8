import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_INVENTORY,
  hostByName,
  hostsForPhase,
  loadInventory,
  parseInventory,
} from './load-inventory.ts'

const original = readFileSync(DEFAULT_INVENTORY, 'utf8')
const edit = (from: string | RegExp, to: string): string => {
  const out = original.replace(from, to)
  if (out === original) throw new Error(`test fixture edit did not apply: ${String(from)}`)
  return out
}

describe('the fleet inventory', () => {
  it('holds the plan’s eight hosts, addressed as the plan addresses them', () => {
    const inv = loadInventory()
    expect(inv.hosts.map((h) => h.name)).toEqual([
      'hsb0',
      'hsb1',
      'hsb8',
      'csb0',
      'csb1',
      'gpc0',
      'mba-mbp-work',
      'imac0',
    ])
    expect(hostByName(inv, 'hsb0').ssh).toEqual({ target: 'hsb0' })
    expect(hostByName(inv, 'csb0').ssh).toEqual({ target: 'mba@cs0.barta.cm', port: 2222 })
    expect(hostByName(inv, 'mba-mbp-work').ssh).toEqual({ target: 'mba@mba-mbp-work.local' })
    expect(hostByName(inv, 'hsb8').checkout).toBe('~/nixcfg')
    expect(hostsForPhase(inv, 2).map((h) => h.name)).toEqual(['csb1', 'gpc0', 'mba-mbp-work'])
    expect(inv.dashboard).toMatchObject({
      host: 'csb1',
      url: 'https://fleet.barta.cm',
      ws_url: 'wss://fleet.barta.cm/ws',
    })
  })

  it("who restarts a host and whether its sudo asks for a password: a Mac's restart is a person's, its sudo asks", () => {
    const inv = parseInventory(original)
    expect(hostByName(inv, 'gpc0')).toMatchObject({ reboot: 'ssh', sudo: 'passwordless' })
    expect(hostByName(inv, 'mba-mbp-work')).toMatchObject({ reboot: 'person', sudo: 'password' })
    expect(hostByName(inv, 'imac0')).toMatchObject({ reboot: 'person', sudo: 'password' })
    const text = edit('    flake_attr: gpc0\n', '    flake_attr: gpc0\n    reboot: later\n')
    expect(() => parseInventory(text, 'fleet.yaml')).toThrow(/gpc0.*reboot/s)
  })

  it('refuses a shortened revision for either pin, naming the field', () => {
    const short = edit('revision: e5798044ddd69d2782a9a55d8c59910cc736710a', 'revision: e579804')
    expect(() => parseInventory(short, 'fleet.yaml')).toThrow(
      /fleet\.yaml: .*dashboard.*revision.*must be a full 40-character commit id/s,
    )
    const agents = edit(
      'nixfleet_v2_rev: e5798044ddd69d2782a9a55d8c59910cc736710a',
      'nixfleet_v2_rev: 3999ab9',
    )
    expect(() => parseInventory(agents, 'fleet.yaml')).toThrow(
      /nixfleet_v2_rev.*must be a full 40-character commit id/s,
    )
  })

  it('names host and field for an unknown key', () => {
    const text = edit('    flake_attr: gpc0\n', '    flake_attr: gpc0\n    flake_atr: gpc0\n')
    expect(() => parseInventory(text, 'fleet.yaml')).toThrow(
      /fleet\.yaml: host gpc0: field .*flake_atr/,
    )
  })

  it('names host and field for a missing field', () => {
    const text = edit('    hm_attr: markus@imac0\n', '')
    expect(() => parseInventory(text, 'fleet.yaml')).toThrow(/host imac0: field hm_attr/)
  })

  it('names host and field for a bad value', () => {
    const text = edit(
      '{ target: mba@cs0.barta.cm, port: 2222 }',
      '{ target: mba@cs0.barta.cm, port: 22222222 }',
    )
    expect(() => parseInventory(text)).toThrow(/host csb0: field ssh\.port/)
    const badOs = edit(/hsb1:\n {4}os: nixos/, 'hsb1:\n    os: windows')
    expect(() => parseInventory(badOs)).toThrow(/host hsb1: field os/)
  })

  it('refuses a dashboard host that is not in the inventory', () => {
    expect(() => parseInventory(edit('  host: csb1', '  host: csb9'))).toThrow(
      /dashboard\.host: "csb9"/,
    )
  })

  it('refuses duplicate keys and YAML syntax errors with the file name', () => {
    expect(() =>
      parseInventory(
        edit('    flake_attr: hsb0\n', '    flake_attr: hsb0\n    flake_attr: hsb1\n'),
        'f.yaml',
      ),
    ).toThrow(/f\.yaml: .*[Mm]ap keys must be unique/)
    expect(() => parseInventory('hosts: [\n', 'f.yaml')).toThrow(/^f\.yaml: /)
  })

  it('refuses a host limit naming a host it does not know', () => {
    expect(() => hostsForPhase(loadInventory(), 1, ['gpc0', 'gpc9'])).toThrow(
      /no host named "gpc9"/,
    )
  })

  it('refuses values that would inject into commands, Nix or logs', () => {
    expect(() => parseInventory(edit('  branch: main', '  branch: "main; rm -rf ~"'))).toThrow(
      /nixcfg\.branch.*git branch name/,
    )
    expect(() =>
      parseInventory(edit('  service: nixfleet', '  service: "nixfleet && reboot"')),
    ).toThrow(/dashboard\.service.*Compose service name/)
    expect(() =>
      parseInventory(edit('  nixfleet_input: nixfleet', '  nixfleet_input: "nixfleet.${x}"')),
    ).toThrow(/nixcfg\.nixfleet_input.*flake input name/)
    expect(() =>
      parseInventory(
        edit('  url: https://fleet.barta.cm', '  url: https://admin:pw@fleet.barta.cm'),
      ),
    ).toThrow(/dashboard\.url.*must not carry credentials/)
    expect(() =>
      parseInventory(
        edit(
          '{ name: cs1, url: https://cs1.barta.cm }',
          '{ name: cs1, url: https://u:p@cs1.barta.cm }',
        ),
      ),
    ).toThrow(/must not carry credentials/)
  })

  it('refuses two hosts behind one SSH target or sharing one config file', () => {
    expect(() =>
      parseInventory(
        edit(
          'ssh: { target: mba@cs1.barta.cm, port: 2222 }',
          'ssh: { target: mba@cs0.barta.cm, port: 2222 }',
        ),
      ),
    ).toThrow(/host csb1: field ssh.*SSH target mba@cs0\.barta\.cm:2222 is also csb0's/)
    expect(() =>
      parseInventory(
        edit(
          'config_file: hosts/hsb1/configuration.nix',
          'config_file: hosts/hsb0/configuration.nix',
        ),
      ),
    ).toThrow(
      /host hsb1: field config_file.*config file hosts\/hsb0\/configuration\.nix is also hsb0's/,
    )
  })
})
