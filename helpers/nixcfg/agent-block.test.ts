import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { agentDefinitions, disableAgent, NixEditError } from './agent-block.ts'
import { planDisableAgent } from './edit-host-file.ts'

const FIXTURE = fileURLToPath(new URL('../../fixtures/nixcfg/hosts/', import.meta.url))
const real = (rel: string): string => readFileSync(join(FIXTURE, rel), 'utf8')

const module = (body: string): string => `{ config, lib, pkgs, ... }:\n{\n${body}\n}\n`

function refusal(src: string): NixEditError {
  try {
    disableAgent(src, 'hosts/x/configuration.nix')
  } catch (err) {
    if (err instanceof NixEditError) return err
    throw err
  }
  throw new Error('expected a refusal')
}

describe('disabling the agent in a host file (plan §1.1)', () => {
  it('nested v1 block (hsb0, the real shape): only `true` becomes `false`, the rest byte for byte', () => {
    const src = real('hsb0/configuration.nix')
    const edit = disableAgent(src, 'hosts/hsb0/configuration.nix')
    expect(edit.changed).toBe(true)
    expect(edit.after).toBe(
      src.replace(
        'services.nixfleet-agent = {\n    enable = true;',
        'services.nixfleet-agent = {\n    enable = false;',
      ),
    )
    expect(edit.after.length).toBe(src.length + 1)
    expect(edit.line).toBe(src.split('\n').findIndex((l) => l.includes('enable = true')) + 1)
  })

  it('dotted form (imac0, the real shape): the enable line changes, the other dotted options stay', () => {
    const src = real('imac0/home.nix')
    const edit = disableAgent(src, 'hosts/imac0/home.nix')
    expect(edit.after).toBe(
      src.replace(
        'services.nixfleet-agent.enable = true;',
        'services.nixfleet-agent.enable = false;',
      ),
    )
  })

  it('every fixture host file is accepted and parses to the original with enable = false', () => {
    for (const rel of [
      'hsb0/configuration.nix',
      'hsb1/configuration.nix',
      'hsb8/configuration.nix',
      'csb0/configuration.nix',
      'csb1/configuration.nix',
      'gpc0/configuration.nix',
      'mba-mbp-work/home.nix',
      'imac0/home.nix',
    ]) {
      const edit = planDisableAgent(join(FIXTURE, rel))
      expect(edit.changed, rel).toBe(true)
    }
  })

  it('an already disabled agent is left alone (re-run)', () => {
    const src = module('  services.nixfleet-agent = { enable = false; url = "https://x"; };')
    const edit = disableAgent(src, 'f.nix')
    expect(edit).toMatchObject({ changed: false, after: src })
  })

  it('the nested `services = { nixfleet-agent = { … }; }` form is found too', () => {
    const src = module(
      '  services = {\n    openssh.enable = true;\n    nixfleet-agent = {\n      enable = true;\n    };\n  };',
    )
    expect(disableAgent(src, 'f.nix').after).toContain('nixfleet-agent = {\n      enable = false;')
    expect(disableAgent(src, 'f.nix').after).toContain('openssh.enable = true;')
  })

  it('comments and strings that mention the option are not definitions', () => {
    const src = module(
      [
        '  # services.nixfleet-agent.enable = true;',
        '  /* services.nixfleet-agent = { enable = true; }; */',
        "  environment.etc.note.text = ''services.nixfleet-agent.enable = true; ${\"}\"}'';",
        '  services.nixfleet-agent.enable = true;',
      ].join('\n'),
    )
    const edit = disableAgent(src, 'f.nix')
    expect(edit.line).toBe(6)
    expect(edit.after.match(/enable = false/g)).toHaveLength(1)
    expect(edit.after).toContain('# services.nixfleet-agent.enable = true;')
  })

  it('let … in before the module body, and `rec`, are understood', () => {
    const src =
      '{ lib, ... }:\nlet\n  enable = true;\n  x = { services.nixfleet-agent.enable = true; };\nin\nrec {\n  services.nixfleet-agent = rec { enable = true; };\n}\n'
    const edit = disableAgent(src, 'f.nix')
    expect(edit.line).toBe(7)
    expect(edit.after).toContain('rec { enable = false; }')
    expect(edit.after).toContain('x = { services.nixfleet-agent.enable = true; }')
  })

  it('refuses two definitions, naming file and both lines', () => {
    const e = refusal(
      module(
        '  services.nixfleet-agent.enable = true;\n  services.nixfleet-agent = {\n    enable = true;\n  };',
      ),
    )
    expect(e.message).toMatch(
      /^hosts\/x\/configuration\.nix:5: services\.nixfleet-agent\.enable is defined 2 times \(lines 3, 5\)/,
    )
  })

  it('refuses an enable wrapped in mkForce / mkDefault', () => {
    expect(refusal(module('  services.nixfleet-agent.enable = lib.mkForce true;')).message).toMatch(
      /configuration\.nix:3: .*lib\.mkForce true.*not a plain true\/false/,
    )
  })

  it('refuses an agent block under mkIf', () => {
    const e = refusal(
      module(
        '  services.nixfleet-agent = lib.mkIf (config.networking.hostName != "x") {\n    enable = true;\n  };',
      ),
    )
    expect(e.message).toMatch(
      /configuration\.nix:\d: .*(mkIf|inside an expression|not an attribute set)/,
    )
  })

  it('refuses a config under mkMerge / mkIf inside a set', () => {
    const e = refusal(
      module('  config = lib.mkIf true { services.nixfleet-agent.enable = true; };'),
    )
    expect(e.message).toMatch(/inside an expression/)
  })

  it('refuses a file without an agent definition', () => {
    expect(refusal(module('  networking.hostName = "x";')).message).toBe(
      'hosts/x/configuration.nix: no services.nixfleet-agent definition in this file',
    )
  })

  it('refuses a block without enable (it may be set elsewhere)', () => {
    expect(
      refusal(module('  services.nixfleet-agent = {\n    url = "https://x";\n  };')).message,
    ).toMatch(/configuration\.nix:3: the services\.nixfleet-agent block has no `enable`/)
  })

  it('refuses unterminated strings with the line', () => {
    expect(refusal(module('  a = "x;\n  services.nixfleet-agent.enable = true;')).message).toMatch(
      /configuration\.nix:3: cannot read the file: unterminated string/,
    )
  })

  it('lists every option under the agent, nested and dotted', () => {
    const defs = agentDefinitions(real('imac0/home.nix'), 'home.nix')
    expect(defs.options.map((b) => b.path.at(-1))).toEqual([
      'enable',
      'url',
      'interval',
      'tokenFile',
      'repoUrl',
      'location',
      'deviceType',
      'themeColor',
    ])
    expect(defs.blocks).toHaveLength(0)
    expect(agentDefinitions(real('gpc0/configuration.nix'), 'c.nix').blocks).toHaveLength(1)
  })
})

describe('the Nix parser judges every edited file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nixcfg-edit-'))

  it('a syntax error in the original stops the edit with the file and line', () => {
    const file = join(dir, 'broken.nix')
    writeFileSync(file, module('  services.nixfleet-agent.enable = true\n  x = 1;'))
    expect(() => planDisableAgent(file)).toThrow(
      /broken\.nix(:\d+)?: Nix parse error: .*syntax error/s,
    )
  })

  it('an edit that changes more than enable is caught by comparing parses', async () => {
    const { assertParsedAs, nixParse } = await import('./nix-parse.ts')
    const file = join(dir, 'a.nix')
    const before = nixParse(module('  a = 1;\n  services.nixfleet-agent.enable = false;'), file)
    const after = nixParse(module('  a = 2;\n  services.nixfleet-agent.enable = false;'), file)
    expect(() => assertParsedAs(after, before, file, 'enable = false')).toThrow(
      /a\.nix: the edit \(enable = false\) changed more than intended/,
    )
  })
})

describe('the v2 agent block (plan §2.5)', () => {
  const v2 = { url: 'wss://fleet.barta.cm/ws', interval: 30, logLevel: 'info' }

  it('gpc0 (nested v1 block): v2 options, v1-only options dropped, token/repo/user carried', async () => {
    const { planToV2 } = await import('./edit-host-file.ts')
    const src = real('gpc0/configuration.nix')
    const edit = planToV2(join(FIXTURE, 'gpc0/configuration.nix'), v2, src)
    expect(edit.dropped).toEqual(['location', 'deviceType', 'themeColor'])
    expect(edit.after).toContain(
      [
        '  services.nixfleet-agent = {',
        '    enable = true;',
        '    url = "wss://fleet.barta.cm/ws";',
        '    interval = 30;',
        '    logLevel = "info";',
        '    tokenFile = "/run/agenix/nixfleet-token";',
        '    repoUrl = "https://github.com/markus-barta/nixcfg.git";',
        '    user = "mba";',
        '  };',
      ].join('\n'),
    )
    // Outside the block, nothing moved.
    const outside = (t: string): string =>
      t.replace(/ {2}services\.nixfleet-agent = \{[\s\S]*?\n {2}\};\n/, '')
    expect(outside(edit.after)).toBe(outside(src))
  })

  it('mba-mbp-work (dotted lines): the lines become one block where the first was', async () => {
    const { planToV2 } = await import('./edit-host-file.ts')
    const src = real('mba-mbp-work/home.nix')
    const edit = planToV2(join(FIXTURE, 'mba-mbp-work/home.nix'), v2, src)
    expect(edit.after).not.toMatch(/services\.nixfleet-agent\.\w+ =/)
    expect(edit.after).toMatch(
      /services\.nixfleet-agent = \{\n {4}enable = true;\n {4}url = "wss:\/\/fleet\.barta\.cm\/ws";/,
    )
    expect(edit.after).not.toContain('themeColor')
  })

  it('a re-run on a v2 block changes nothing', async () => {
    const { planToV2 } = await import('./edit-host-file.ts')
    const file = join(FIXTURE, 'gpc0/configuration.nix')
    const once = planToV2(file, v2, real('gpc0/configuration.nix'))
    expect(planToV2(file, v2, once.after).changed).toBe(false)
  })

  it('refuses an option it cannot carry over, and a binding sharing its line', async () => {
    const { toV2Block } = await import('./agent-block.ts')
    expect(() =>
      toV2Block(
        module('  services.nixfleet-agent = {\n    enable = true;\n    extraFlags = [ ];\n  };'),
        'h.nix',
        v2,
      ),
    ).toThrow(/h\.nix:4: the agent block sets extraFlags/)
    expect(() =>
      toV2Block(module('  a = 1; services.nixfleet-agent.enable = true;'), 'h.nix', v2),
    ).toThrow(/h\.nix:3: services\.nixfleet-agent\.enable shares its line/)
  })
})
