import { hostScope } from '../config/scope.ts'
import type { Fleet } from '../fleet/fleet.ts'
import { HostError } from '../hosts/errors.ts'
import { hostsForPhase } from '../inventory/load-inventory.ts'
import { sh } from '../shell/quote.ts'
import { checkoutDir } from '../steps/pull-and-switch.ts'

/**
 * The host this check builds: the first NixOS host within HOSTS that phase 2
 * leaves on its disabled v1 block (not a phase 2 host, not the dashboard's).
 */
export function disabledHostToBuild(fleet: Fleet): string | undefined {
  const inv = fleet.inventory
  return hostsForPhase(inv, 1, hostScope(inv)).find(
    (h) => h.os === 'nixos' && !h.phases.includes(2) && h.name !== inv.dashboard.host,
  )?.name
}

/**
 * After phase 2's pin: the v2 module is what every host now evaluates, and a
 * host still on its disabled v1 block must build under it, or it could not
 * be rebuilt (nor rolled back) until someone edits it. Built on the host
 * itself from nixcfg at `commit`, in a throw-away worktree of its checkout
 * (`nixos-rebuild build`: nothing is activated, the checkout and the running
 * system are left as they are). Returns what was built.
 */
export async function disabledHostBuilds(
  fleet: Fleet,
  name: string,
  commit: string,
): Promise<string> {
  const fh = fleet.get(name)
  if (fh.spec.os !== 'nixos') throw new HostError(name, 'not a NixOS host: nothing to build')
  const dir = checkoutDir(fh.spec)
  const attr = `.#${fh.spec.flake_attr}`
  const script = sh`git -C ${dir} fetch -q origin && t=$(mktemp -d) && git -C ${dir} worktree add -q --detach "$t" ${commit} && { (cd "$t" && nixos-rebuild build --flake ${attr} 2>&1); r=$?; git -C ${dir} worktree remove --force "$t"; exit $r; }`
  const r = await fh.host.run(script, { timeout: '15m' })
  const output = (r.stdout + r.stderr).trim()
  if (r.exitCode !== 0)
    throw new HostError(
      name,
      `left on its disabled v1 block, it does not build at nixcfg ${commit.slice(0, 12)} (the v2 pin): ` +
        `nixos-rebuild build exited ${r.exitCode}: ${output.split('\n').slice(-4).join(' | ')}`,
    )
  const built = output
    .split('\n')
    .filter((l) => l.startsWith('/nix/store/'))
    .at(-1)
  return `${name} builds at nixcfg ${commit.slice(0, 12)}: ${built ?? output.split('\n').at(-1)}`
}
