import type { Fleet, FleetHost } from '../fleet/fleet.ts'
import { HostError } from '../hosts/errors.ts'
import { bootFirewallAt, sshRefusedBy } from '../nixcfg/boot-firewall.ts'
import { worktreePath } from '../nixcfg/worktree.ts'
import type { Judged } from '../os/os-adapter.ts'
import { sh } from '../shell/quote.ts'
import { checkoutDir } from '../steps/pull-and-switch.ts'

/**
 * Will SSH get back in after a reboot? On the migration day csb1 came back
 * from its reboot with a firewall that did not list its SSH port (2222), and
 * nobody could log in until the configuration was fixed (nixcfg 72476e79).
 * For a NixOS host, the firewall of the configuration it runs (nixcfg at its
 * checkout's commit, evaluated on this machine) must let in the port the
 * operator's SSH reaches (as OpenSSH resolves the target). A configuration
 * that cannot be read or evaluated is not ok: nobody can say.
 */
export async function sshAfterReboot(fleet: Fleet, fh: FleetHost): Promise<Judged> {
  const out = fh.os.flakeOutput(fh.spec)
  if (out.kind !== 'nixos')
    return { ok: true, detail: 'not a NixOS host: its configuration sets no firewall to read' }
  const name = fh.spec.name
  try {
    const commit = (
      await fh.host.succeed(sh`git -C ${checkoutDir(fh.spec)} rev-parse HEAD`, { timeout: '30s' })
    ).trim()
    const port = fh.host.transport.port?.() ?? fh.spec.ssh.port ?? 22
    const fw = bootFirewallAt(fleet.target, worktreePath(fleet.target), commit, out.attr)
    const at = `nixcfg ${commit.slice(0, 12)} (${fh.spec.config_file}, the configuration ${name} boots)`
    const why = sshRefusedBy(fw, port)
    return why
      ? { ok: false, detail: `in ${at} ${why}; after a reboot SSH would be refused` }
      : { ok: true, detail: `SSH port ${port} open in the firewall of ${at}` }
  } catch (err) {
    return {
      ok: false,
      detail: `cannot tell whether SSH gets back in after a reboot: ${(err as Error).message}`,
    }
  }
}

/** Before a reboot: refuses it, with the reason, unless SSH will get back in. Returns what was checked. */
export async function requireSshAfterReboot(fleet: Fleet, fh: FleetHost): Promise<string> {
  const j = await sshAfterReboot(fleet, fh)
  if (!j.ok)
    throw new HostError(
      fh.spec.name,
      `refusing to reboot: ${j.detail}. Open the port (networking.firewall.allowedTCPPorts), switch, then re-run`,
    )
  return j.detail
}
