import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Where the simulated hosts keep the simulator's own data (baked into the image). */
export const SIM_DIR = '/usr/local/lib/runbook-sim'
export const FAULT_DIR = '/etc/runbook-sim/faults'

export type AgentConfig =
  { enable: false } | ({ enable: true } & Record<string, string | number | boolean | null>)

/** The firewall a NixOS configuration applies at boot (NixOS's networking.firewall, openssh's openFirewall folded in). */
export interface Firewall {
  enable: boolean
  /** Every TCP port the rule set accepts from anywhere. */
  tcp: number[]
  ranges: { from: number; to: number }[]
  sshPorts: number[]
}

export interface Evaluation {
  moduleVersion: 'v1' | 'v2'
  /** The nixfleet revision flake.lock pins (the agent package is built from it). */
  revision: string
  files: string[]
  agent: AgentConfig
  /** NixOS only: the firewall the configuration applies at boot. */
  firewall: Firewall | null
}

export class EvalError extends Error {}

/** `.#gpc0` / `/path#attr` / `.#mba@mba-mbp-work` as nix reads a flake reference. */
export function parseFlakeRef(ref: string, cwd: string): { dir: string; attr: string } {
  const m = /^(.*)#(.+)$/.exec(ref.replace(/^"|"$/g, ''))
  if (!m)
    throw new EvalError(
      `error: flake reference '${ref}' has no attribute (expected e.g. .#hostname)`,
    )
  const base = m[1] === '' || m[1] === '.' ? cwd : m[1]!.startsWith('/') ? m[1]! : join(cwd, m[1]!)
  if (!existsSync(join(base, 'flake.nix'))) {
    throw new EvalError(`error: path '${base}' does not contain a 'flake.nix'`)
  }
  return { dir: base, attr: m[2]!.replace(/^"|"$/g, '') }
}

/**
 * The nixfleet module version follows the nixfleet revision pinned in
 * flake.lock. The simulation knows real revisions only, by their full id
 * (`nixfleet-revs.json`: each checked in markus-barta/nixfleet, v2 from
 * 40a6392, where flake.nix's agent module becomes the Go agent's): a
 * shortened or unknown revision fails as a fetch of a commit that does not
 * exist would.
 */
export function pinnedModuleVersion(
  flakeDir: string,
  revsFile = join(SIM_DIR, 'nixfleet-revs.json'),
): 'v1' | 'v2' {
  return pinnedRevision(flakeDir, revsFile).version
}

/** The pinned nixfleet revision and the agent module's version at it (see pinnedModuleVersion). */
export function pinnedRevision(
  flakeDir: string,
  revsFile = join(SIM_DIR, 'nixfleet-revs.json'),
): { rev: string; version: 'v1' | 'v2' } {
  const lock = JSON.parse(readFileSync(join(flakeDir, 'flake.lock'), 'utf8')) as {
    nodes: Record<string, { locked?: { rev?: string } }>
  }
  const rev = lock.nodes.nixfleet?.locked?.rev
  if (!rev) throw new EvalError(`error: flake.lock in ${flakeDir} has no locked 'nixfleet' input`)
  const revs = JSON.parse(readFileSync(revsFile, 'utf8')) as Record<string, 'v1' | 'v2'>
  const version = revs[rev]
  if (!version)
    throw new EvalError(
      `error: cannot fetch nixfleet at rev ${rev}: not a revision of markus-barta/nixfleet this simulation models`,
    )
  return { rev, version }
}

/** Where the evaluator's own files are: in the image under SIM_DIR; in this repository for the runbook's check. */
export interface EvaluatorFiles {
  evalNix: string
  revs: string
}
const IMAGE_FILES: EvaluatorFiles = {
  evalNix: join(SIM_DIR, 'nix', 'eval-agent.nix'),
  revs: join(SIM_DIR, 'nixfleet-revs.json'),
}

/** Runs the real Nix evaluator over the host's files; errors come back as Nix printed them. */
export function evaluateAgent(
  flakeDir: string,
  attr: string,
  kind: 'nixos' | 'home',
  files: EvaluatorFiles = IMAGE_FILES,
): Evaluation {
  const { rev: revision, version: moduleVersion } = pinnedRevision(flakeDir, files.revs)
  const r = spawnSync(
    'nix-instantiate',
    [
      '--eval',
      '--strict',
      '--json',
      '--readonly-mode',
      // Evaluation only: no store is opened, so an unprivileged user (home-manager) can evaluate too.
      '--store',
      'dummy://',
      files.evalNix,
      '--arg',
      'flakeDir',
      flakeDir,
      '--argstr',
      'attr',
      attr,
      '--argstr',
      'kind',
      kind,
      '--argstr',
      'moduleVersion',
      moduleVersion,
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, NIX_REMOTE: '', HOME: process.env.HOME ?? '/root' },
    },
  )
  if (r.status !== 0) throw new EvalError(r.stderr.trim() || `nix-instantiate exited ${r.status}`)
  const parsed = JSON.parse(r.stdout) as {
    agent: AgentConfig
    files: string[]
    firewall: Firewall | null
  }
  return {
    moduleVersion,
    revision,
    files: parsed.files,
    agent: parsed.agent,
    firewall: parsed.firewall,
  }
}

export function faultActive(name: string): boolean {
  return existsSync(join(FAULT_DIR, name))
}

export function gitHead(dir: string): string {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--short=7', 'HEAD'], {
      encoding: 'utf8',
    }).trim()
  } catch {
    return 'unknown'
  }
}

/** Store paths look like the real ones: a stable hash of the content. */
export function storePath(name: string, content: string): string {
  let h = 0n
  for (const c of Buffer.from(content + name)) h = (h * 131n + BigInt(c)) % (1n << 160n)
  const alphabet = '0123456789abcdfghijklmnpqrsvwxyz'
  let s = ''
  for (let i = 0; i < 32; i++) {
    s += alphabet[Number(h % 32n)]
    h /= 32n
  }
  return `/nix/store/${s}-${name}`
}
