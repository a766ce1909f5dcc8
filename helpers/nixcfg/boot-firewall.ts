import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Target } from '../config/target.ts'
import { targetAccess } from '../config/target-access.ts'
import { runEvaluator } from './evaluate-hosts.ts'

/** What a NixOS configuration's firewall lets in, as NixOS computes it (openssh's openFirewall included). */
export interface BootFirewall {
  enable: boolean
  tcp: number[]
  ranges: { from: number; to: number }[]
}

export class FirewallEvalError extends Error {
  override name = 'FirewallEvalError'
}

/**
 * `nix eval` of the firewall a host's configuration builds: NixOS's own
 * module system folds services.openssh.ports into allowedTCPPorts when
 * openFirewall is on, so the value read is the one the boot applies.
 */
export function nixEvalFirewallArgs(dir: string, attr: string): string[] {
  return [
    'eval',
    '--json',
    `path:${dir}#nixosConfigurations."${attr}".config.networking.firewall`,
    '--apply',
    'f: { enable = f.enable; tcp = f.allowedTCPPorts; ranges = f.allowedTCPPortRanges; }',
  ]
}

/** Checks the evaluator's answer is a firewall, so a surprise is an error and never "open". */
export function parseFirewall(text: string, what: string): BootFirewall {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    throw new FirewallEvalError(
      `${what}: the evaluator's answer is not JSON: ${text.slice(0, 200)}`,
    )
  }
  const fw = v as Partial<BootFirewall> | null
  const isPort = (p: unknown): p is number => Number.isInteger(p)
  if (
    !fw ||
    typeof fw.enable !== 'boolean' ||
    !Array.isArray(fw.tcp) ||
    !fw.tcp.every(isPort) ||
    !Array.isArray(fw.ranges) ||
    !fw.ranges.every((r) => isPort(r?.from) && isPort(r?.to))
  )
    throw new FirewallEvalError(
      `${what}: no firewall in the evaluator's answer: ${text.slice(0, 200)}`,
    )
  return { enable: fw.enable, tcp: fw.tcp, ranges: fw.ranges }
}

/**
 * The firewall of `attr`'s NixOS configuration at `commit`, evaluated on
 * this machine from the operator's working copy (the commit's files, not the
 * working copy's): `nix eval` in production, the target's evaluator in a
 * rehearsal. A commit the working copy lacks is fetched first.
 */
export function bootFirewallAt(
  target: Target,
  worktree: string,
  commit: string,
  attr: string,
): BootFirewall {
  const git = (...args: string[]) =>
    spawnSync('git', ['-C', worktree, ...args], { encoding: 'utf8', timeout: 120_000 })
  if (git('cat-file', '-e', `${commit}^{commit}`).status !== 0) git('fetch', '--quiet', 'origin')
  if (git('cat-file', '-e', `${commit}^{commit}`).status !== 0)
    throw new FirewallEvalError(
      `nixcfg commit ${commit} is not in the working copy ${worktree} (nor on its origin)`,
    )
  const dir = mkdtempSync(join(tmpdir(), 'nixcfg-at-'))
  try {
    const archive = spawnSync(
      'sh',
      ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'sh', worktree, commit, dir],
      { encoding: 'utf8', timeout: 120_000 },
    )
    if (archive.status !== 0)
      throw new FirewallEvalError(
        `cannot unpack nixcfg ${commit} from ${worktree}: ${archive.stderr.trim()}`,
      )
    const how = targetAccess(target).evaluate
    const what = `nixosConfigurations.${attr} at nixcfg ${commit.slice(0, 12)}`
    if (how === 'nix') {
      const r = runEvaluator('nix', nixEvalFirewallArgs(dir, attr))
      if (r.status !== 0)
        throw new FirewallEvalError(`${what}: nix eval failed: ${r.stderr.trim().slice(0, 400)}`)
      return parseFirewall(r.stdout, what)
    }
    const [command, ...pre] = how.command
    const r = runEvaluator(command!, [...pre, '--firewall', dir, `nixos:${attr}`])
    const line = r.stdout.split('\n').find((l) => l.includes(`"nixos:${attr}"`))
    if (!line)
      throw new FirewallEvalError(`${what}: the evaluator gave no answer: ${r.stderr.trim()}`)
    const a = JSON.parse(line) as { ok: boolean; error?: string; firewall?: unknown }
    if (!a.ok) throw new FirewallEvalError(`${what}: ${a.error ?? 'does not evaluate'}`)
    return parseFirewall(JSON.stringify(a.firewall ?? null), what)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Why SSH on `port` would be refused by this firewall after a boot, or null when it gets in. */
export function sshRefusedBy(fw: BootFirewall, port: number): string | null {
  if (!fw.enable) return null
  if (fw.tcp.includes(port) || fw.ranges.some((r) => port >= r.from && port <= r.to)) return null
  const open = [...fw.tcp.map(String), ...fw.ranges.map((r) => `${r.from}-${r.to}`)]
  return `the firewall is on and does not open TCP ${port}, the port SSH is reached on (it opens ${open.join(', ') || 'no TCP port'})`
}
