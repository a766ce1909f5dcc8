import { afterAll, describe, expect, it } from 'vitest'
import { MacosAdapter } from '../../../helpers/os/macos.ts'
import { NixosAdapter } from '../../../helpers/os/nixos.ts'
import { remotePath, sh } from '../../../helpers/shell/quote.ts'
import { applyFault, parseFaults, revertFault, type FaultSpec } from '../faults.ts'
import { loadWorld } from '../world.ts'
import { simulated } from './world-hosts.ts'

/** Every fault of the catalog, shown to have its effect (and reverted afterwards). */
describe('rehearsal faults', () => {
  const world = loadWorld()
  const nixos = new NixosAdapter()
  const applied: FaultSpec[] = []
  const inject = (f: FaultSpec): void => {
    applyFault(world, f)
    applied.push(f)
  }
  afterAll(() => {
    for (const f of applied.reverse()) revertFault(world, f)
  })

  it('host-unreachable: SSH to the host fails to connect, naming it', async () => {
    const { host } = simulated('hsb8')
    inject({ name: 'host-unreachable', host: 'hsb8' })
    await expect(host.run('true', { timeout: '20s' })).rejects.toThrow(
      /^hsb8: (cannot connect|jump host .* cannot reach)/,
    )
    await host.close()
  })

  it('rebuild-fails: the switch exits non-zero with a build error and the agent keeps running', async () => {
    const { machine, host } = simulated('hsb1')
    inject({ name: 'rebuild-fails', host: 'hsb1' })
    const r = await host.fail(
      sh`cd ${remotePath(machine.checkout)} && sudo nixos-rebuild switch --flake .#hsb1`,
      { timeout: '2m' },
    )
    expect(r.stderr).toMatch(/error: builder for '.*nixos-system-hsb1\.drv' failed/)
    await expect(nixos.waitForUnit(host, 'nixfleet-agent', '30s')).resolves.toMatchObject({
      active: 'active',
    })
    await host.close()
  })

  it('unit-no-return: after a reboot the agent does not stay up', async () => {
    const { host } = simulated('hsb0')
    inject({ name: 'unit-no-return', host: 'hsb0' })
    await nixos.waitForUnit(host, 'nixfleet-agent', '30s') // still fine in this boot
    await host.reboot({
      command: nixos.rebootCommand,
      bootIdentity: (h) => nixos.bootIdentity(h),
      timeout: '3m',
    })
    await expect(nixos.waitForUnit(host, 'nixfleet-agent', '25s')).rejects.toThrow(
      /hsb0: unit nixfleet-agent (active and staying up not satisfied|keeps restarting)/,
    )
    expect(await nixos.agentLog(host)).toContain('rehearsal fault unit-no-return')
    await host.close()
  })

  it('agent-exits-on-start: the agent crash-loops and the wait says so at once; reverted, it stays up', async () => {
    const { host } = simulated('csb0')
    const fault: FaultSpec = { name: 'agent-exits-on-start', host: 'csb0' }
    inject(fault)
    await host.succeed('sudo systemctl restart nixfleet-agent', { timeout: '30s' })
    const started = Date.now()
    await expect(nixos.waitForUnit(host, 'nixfleet-agent', '2m')).rejects.toThrow(
      /csb0: unit nixfleet-agent keeps restarting/,
    )
    expect(
      Date.now() - started,
      'a crash loop is recognised long before the deadline',
    ).toBeLessThan(60_000)
    expect(await nixos.agentLog(host)).toContain('rehearsal fault agent-exits-on-start')
    revertFault(world, fault)
    applied.splice(applied.indexOf(fault), 1)
    await host.succeed('sudo systemctl restart nixfleet-agent', { timeout: '30s' })
    await expect(nixos.waitForUnit(host, 'nixfleet-agent', '1m')).resolves.toMatchObject({
      active: 'active',
    })
    await host.close()
  })

  it('part-2 faults are checked against the host they need', () => {
    expect(() => parseFaults('totp-mismatch:gpc0', world)).toThrow(
      'REHEARSAL_FAULTS: totp-mismatch acts on the dashboard host; use totp-mismatch:csb1',
    )
    expect(parseFaults('wrong-agent-token:gpc0,no-restart-policy:csb1', world)).toHaveLength(2)
  })

  it('no-return-from-reboot: the reboot is never confirmed', async () => {
    const { host } = simulated('csb0')
    inject({ name: 'no-return-from-reboot', host: 'csb0' })
    await expect(
      host.reboot({
        command: nixos.rebootCommand,
        bootIdentity: (h) => nixos.bootIdentity(h),
        timeout: '30s',
      }),
    ).rejects.toThrow(/csb0: back from reboot with a new boot identity not satisfied after 30 s/)
    await host.close()
  })

  it('wrong-host-key: the connection is refused as a changed host key', async () => {
    const { host } = simulated('imac0')
    inject({ name: 'wrong-host-key', host: 'imac0' })
    await expect(host.run('true', { timeout: '20s' })).rejects.toThrow(
      /imac0: HOST KEY CHANGED for imac0\.local/,
    )
    await host.close()
  })

  it('sudo-needs-password: a reboot is refused at once with "sudo needs a password", and the Mac is not rebooted', async () => {
    const { host } = simulated('mba-mbp-work')
    const mac = new MacosAdapter()
    const before = await mac.bootIdentity(host)
    inject({ name: 'sudo-needs-password', host: 'mba-mbp-work' })
    const started = Date.now()
    await expect(
      host.reboot({
        command: mac.rebootCommand,
        bootIdentity: (h) => mac.bootIdentity(h),
        timeout: '6m',
      }),
    ).rejects.toThrow(/^mba-mbp-work: sudo needs a password on mba-mbp-work \(sudo -n refused/)
    // At once, not after the reboot wait's six minutes.
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(await mac.bootIdentity(host)).toBe(before)
    await host.close()
  })
})
