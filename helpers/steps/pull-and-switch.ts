import { verifyOs, type FleetHost } from '../fleet/fleet.ts'
import { osAdapterFor } from '../os/registry.ts'
import { HostError, SudoNeedsPasswordError } from '../hosts/errors.ts'
import type { HostSpec } from '../inventory/load-inventory.ts'
import { say } from '../output/say.ts'
import { raw, remotePath, sh, type ShellFragment } from '../shell/quote.ts'
import type { Duration } from '../time/duration.ts'

/**
 * The plan's switch command for a host: `sudo nixos-rebuild switch --flake
 * .#<host>` on NixOS, `home-manager switch --flake ".#<user>@<host>"` on macOS,
 * with the attribute the inventory gives (imac0's is not what the plan typed).
 */
export function switchCommand(spec: HostSpec): string {
  return osAdapterFor(spec).switchCommand(spec)
}

export const checkoutDir = (spec: HostSpec): ShellFragment => remotePath(spec.checkout)

/**
 * The plan's per-host command: `cd <checkout> && git pull && <switch>`, the
 * pull fast-forward only (a diverged checkout stops here instead of merging
 * and building a configuration nobody reviewed).
 */
export function pullAndSwitchCommand(spec: HostSpec): string {
  return sh`cd ${checkoutDir(spec)} && git pull --ff-only && ${raw(switchCommand(spec))}`
}

export interface SwitchResult {
  action: 'switched' | 'already-done'
  /** The checkout's commit after the step. */
  head: string
  note: string
}

/** A real rebuild downloads and builds; the deadline is generous but finite. */
export const SWITCH_TIMEOUT: Duration = '30m'

/**
 * On one host: `cd <checkout> && git pull && <switch>`, exactly as the plan
 * types it, after checking the machine is the OS the inventory says. Skipped
 * when the checkout already holds `commit` and `isDone` confirms the intended
 * state (a re-run must not rebuild needlessly); after the switch, the
 * checkout must hold `commit` (the host pulled what was pushed).
 */
export async function pullAndSwitch(
  fh: FleetHost,
  opts: {
    commit: string
    /** The branch the fleet pulls: a checkout on another one is refused before the pull. */
    branch: string
    isDone: () => Promise<boolean>
    timeout?: Duration
  },
): Promise<SwitchResult> {
  const { host, spec } = fh
  await verifyOs(fh)
  const dir = checkoutDir(spec)
  const head = async (): Promise<string> => {
    const r = await host.run(sh`git -C ${dir} rev-parse HEAD`, { timeout: '30s' })
    if (r.exitCode !== 0)
      throw new HostError(
        spec.name,
        `no nixcfg checkout at ${spec.checkout} (git: ${r.stderr.trim() || `exit ${r.exitCode}`})`,
      )
    return r.stdout.trim()
  }
  const short = opts.commit.slice(0, 7)
  /** Whether the checkout holds the change (at its commit, or a later one on top of it). */
  const holds = async (): Promise<boolean> =>
    (
      await host.run(sh`git -C ${dir} merge-base --is-ancestor ${opts.commit} HEAD`, {
        timeout: '30s',
      })
    ).exitCode === 0
  const now = await head()
  if ((now === opts.commit || (await holds())) && (await opts.isDone())) {
    return {
      action: 'already-done',
      head: now,
      note: `already holds ${short} and in the intended state: no rebuild`,
    }
  }
  const branch = (
    await host.succeed(sh`git -C ${dir} rev-parse --abbrev-ref HEAD`, { timeout: '30s' })
  ).trim()
  if (branch !== opts.branch)
    throw new HostError(
      spec.name,
      `the checkout ${spec.checkout} is on branch ${branch}, the fleet pulls ${opts.branch}: nothing was pulled or switched`,
    )
  const command = pullAndSwitchCommand(spec)
  if (/\bsudo\b/.test(switchCommand(spec)) && spec.sudo === 'password')
    throw new SudoNeedsPasswordError(spec.name, `${switchCommand(spec)} (nothing was pulled)`)
  say(`${spec.name}: ${command}`)
  await host.succeed(command, { timeout: opts.timeout ?? SWITCH_TIMEOUT })
  const after = await head()
  if (after !== opts.commit && !(await holds()))
    throw new HostError(
      spec.name,
      `after git pull the checkout is at ${after.slice(0, 7)}, not the pushed ${short} (is ${spec.checkout} on the fleet's branch?)`,
    )
  return { action: 'switched', head: after, note: `pulled ${short} and switched` }
}
