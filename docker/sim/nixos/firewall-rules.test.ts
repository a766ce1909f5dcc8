import { describe, expect, it } from 'vitest'
import { firewallCommands } from './firewall-rules.ts'

describe("the simulated NixOS firewall's rules", () => {
  it('accepts the allowed ports, refuses any other TCP connection with a reset, drops the rest', () => {
    const rules = firewallCommands({
      enable: true,
      tcp: [80, 443],
      ranges: [{ from: 6000, to: 6010 }],
      sshPorts: [2222],
    }).map((a) => a.join(' '))
    expect(rules).toContain('-A nixos-fw -p tcp --dport 80 -j ACCEPT')
    expect(rules).toContain('-A nixos-fw -p tcp --dport 6000:6010 -j ACCEPT')
    expect(rules.some((r) => r.includes('2222'))).toBe(false)
    const reject = rules.indexOf('-A nixos-fw -p tcp -j REJECT --reject-with tcp-reset')
    expect(reject).toBeGreaterThan(rules.indexOf('-A nixos-fw -p tcp --dport 443 -j ACCEPT'))
    expect(rules.at(-1)).toBe('-I INPUT 1 -j nixos-fw')
  })

  it('a disabled firewall (or none) only clears the chain', () => {
    for (const fw of [null, { enable: false, tcp: [], ranges: [], sshPorts: [22] }])
      expect(firewallCommands(fw).map((a) => a[0])).toEqual(['-D', '-F', '-X'])
  })
})
