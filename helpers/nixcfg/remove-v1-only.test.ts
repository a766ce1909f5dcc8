import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { planRemoveV1Only } from './edit-host-file.ts'

const DISABLED = `{ ... }:
{
  services.nixfleet-agent = {
    enable = false;
    url = "https://fleet.barta.cm";
    interval = 10;
    tokenFile = "/run/agenix/nixfleet-token";
    location = "home";
    deviceType = "server";
    themeColor = "#d4c060"; # yellow
  };
  system.stateVersion = "24.11";
}
`

const file = (text: string): string => {
  const f = join(mkdtempSync(join(tmpdir(), 'v1only-')), 'configuration.nix')
  writeFileSync(f, text)
  return f
}

describe('a disabled v1 block kept valid under the v2 pin', () => {
  it('drops location, deviceType and themeColor, keeping enable = false and the rest byte for byte', () => {
    const e = planRemoveV1Only(file(DISABLED))
    expect(e.dropped).toEqual(['location', 'deviceType', 'themeColor'])
    expect(e.after).toBe(`{ ... }:
{
  services.nixfleet-agent = {
    enable = false;
    url = "https://fleet.barta.cm";
    interval = 10;
    tokenFile = "/run/agenix/nixfleet-token";
  };
  system.stateVersion = "24.11";
}
`)
  })

  it('leaves a block without v1-only options as it is', () => {
    const e = planRemoveV1Only(
      file(DISABLED.replace(/ {4}(location|deviceType|themeColor).*\n/g, '')),
    )
    expect(e.changed).toBe(false)
  })

  it('refuses a v1-only option sharing its line with another binding, naming file and line', () => {
    const f = file(
      DISABLED.replace('    location = "home";\n', '    location = "home"; user = "mba";\n'),
    )
    expect(() => planRemoveV1Only(f)).toThrow(
      /configuration\.nix:8: services\.nixfleet-agent\.location shares its line/,
    )
  })
})
