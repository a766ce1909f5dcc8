import { execFileSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { RebootWaitError } from '../../../helpers/hosts/errors.ts'
import { NixosAdapter } from '../../../helpers/os/nixos.ts'
import { simulated } from './world-hosts.ts'

const inCsb1 = (script: string): string =>
  execFileSync('docker', ['exec', 'rehearsal-csb1', 'sh', '-c', script], { encoding: 'utf8' })

/**
 * The simulated NixOS boot applies the firewall of the generation it boots.
 * With csb1's configuration as on the migration morning (80 and 443, not
 * SSH's 2222) and no check before the reboot, csb1 is locked out exactly as
 * the real one was: sshd runs, the firewall refuses it, and the reboot's
 * wait for SSH fails at its deadline. (The runbook's own reboot refuses
 * first: helpers/checks/ssh-after-reboot.ts; fault matrix `day-agents-3999ab9`.)
 */
describe('simulated firewall at boot: csb1 with the morning configuration', () => {
  const { machine, host } = simulated('csb1')
  const nixos = new NixosAdapter()
  const checkout = machine.checkout
  const file = `${checkout}/hosts/csb1/configuration.nix`

  afterAll(async () => {
    // Back to the generation before the test's, its rules applied again, SSH open.
    inCsb1(
      `nixos-rebuild boot --rollback >/dev/null 2>&1; systemctl restart runbook-firewall; iptables -S nixos-fw | grep -q 'dport 2222'`,
    )
    await host.transport.reset()
    await host.succeed('true', { timeout: '1m' })
    await host.close()
  })

  it('after a reboot into it, SSH is refused and the reboot wait fails within its deadline', async () => {
    // The next boot's generation: the morning's firewall (the checkout itself left as it was).
    inCsb1(
      `cd ${checkout} && sed -i '/^ *2222 # SSH/d' ${file} && nixos-rebuild boot --flake .#csb1 >/dev/null 2>&1; ` +
        `r=$?; runuser -u ${machine.user.name} -- git -C ${checkout} checkout -- ${file}; exit $r`,
    )
    expect(JSON.parse(inCsb1('cat /nix/var/nix/profiles/system/firewall.json'))).toMatchObject({
      enable: true,
      tcp: [22, 80, 443],
    })
    const started = Date.now()
    const err = await host
      .reboot({
        command: nixos.rebootCommand,
        bootIdentity: (h) => nixos.bootIdentity(h),
        timeout: '45s',
      })
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(err).toBeInstanceOf(RebootWaitError)
    expect((err as Error).message).toMatch(
      /csb1: the reboot was issued, but the host did not come back over SSH: .*(refused|reset|closed)/i,
    )
    // The deadline held: 45 s of waiting plus the reboot command and one last attempt.
    expect(Date.now() - started).toBeLessThan(90_000)
    // It is the firewall, not sshd: sshd runs in the new boot, and 2222 is refused by the rules.
    expect(inCsb1('systemctl is-active ssh').trim()).toBe('active')
    const rules = inCsb1('iptables -S nixos-fw')
    expect(rules).toContain('-j REJECT --reject-with tcp-reset')
    expect(rules).not.toContain('--dport 2222')
  })
})
