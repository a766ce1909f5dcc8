import { spawnSync } from 'node:child_process'
import { journalLocal } from '../transcript/transcript.ts'
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Target } from '../config/target.ts'
import { targetAccess } from '../config/target-access.ts'
import { WorktreeError } from './worktree.ts'

interface LockNode {
  locked?: {
    rev?: string
    owner?: string
    repo?: string
    type?: string
    lastModified?: number
    narHash?: string
  }
}
interface FlakeLock {
  nodes: Record<string, LockNode>
}

function readLock(dir: string): FlakeLock {
  const file = join(dir, 'flake.lock')
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as FlakeLock
  } catch (err) {
    throw new WorktreeError(`${file}: cannot read the flake lock: ${(err as Error).message}`)
  }
}

/** The commit a flake input is locked to. */
export function lockedRev(dir: string, input: string): string {
  const rev = readLock(dir).nodes[input]?.locked?.rev
  if (!rev)
    throw new WorktreeError(`${join(dir, 'flake.lock')}: no locked rev for input "${input}"`)
  return rev
}

export interface PinPlan {
  from: string
  changed: boolean
  /** Production: Nix's own command, run in the working copy. */
  command?: string[]
  /** Rehearsal: the flake.lock text as it will be written. */
  before?: string
  after?: string
}

/** What pinning `input` to `rev` will do, without doing it. */
export function planPin(target: Target, dir: string, input: string, rev: string): PinPlan {
  const lock = readLock(dir)
  const node = lock.nodes[input]?.locked
  if (!node?.rev)
    throw new WorktreeError(`${join(dir, 'flake.lock')}: no locked rev for input "${input}"`)
  const from = node.rev
  if (from === rev) return { changed: false, from }
  if (node.type !== 'github' || !node.owner || !node.repo)
    throw new WorktreeError(
      `${join(dir, 'flake.lock')}: input "${input}" is locked as ${node.type ?? '?'}, not github:owner/repo; pin it by hand`,
    )
  if (targetAccess(target).flakePin === 'nix')
    return {
      changed: true,
      from,
      command: [
        'nix',
        'flake',
        'lock',
        '--override-input',
        input,
        `github:${node.owner}/${node.repo}/${rev}`,
      ],
    }
  const before = readFileSync(join(dir, 'flake.lock'), 'utf8')
  node.rev = rev
  node.lastModified = Math.floor(Date.now() / 1000)
  node.narHash = `sha256-${createHash('sha256').update(rev).digest('base64')}`
  return { changed: true, from, before, after: JSON.stringify(lock, null, 2) + '\n' }
}

/**
 * Pins a GitHub flake input to a commit. In production this is Nix's own
 * `nix flake lock --override-input`, which fetches the commit and writes the
 * real narHash. The rehearsal cannot reach GitHub; there the lock entry is
 * rewritten as Nix would (rev, lastModified, a content hash standing in for
 * narHash): the simulated hosts read the pinned rev to choose the agent
 * module version, as a real evaluation would by fetching it.
 */
export function pinInput(
  target: Target,
  dir: string,
  input: string,
  rev: string,
): { changed: boolean; from: string } {
  const plan = planPin(target, dir, input, rev)
  if (!plan.changed) return { changed: false, from: plan.from }
  if (plan.command) {
    const [cmd, ...args] = plan.command
    const r = journalLocal(plan.command.join(' '), () => {
      const out = spawnSync(cmd ?? 'nix', args, {
        cwd: dir,
        encoding: 'utf8',
        timeout: 10 * 60_000,
      })
      return { value: out, exitCode: out.status ?? -1, stderr: out.stderr ?? '' }
    })
    if (r.status !== 0)
      throw new WorktreeError(
        `${plan.command.join(' ')} in ${dir} failed: ${(r.stderr || r.error?.message || '').trim()}`,
      )
  } else if (plan.after !== undefined) writeFileSync(join(dir, 'flake.lock'), plan.after)
  const now = lockedRev(dir, input)
  if (now !== rev)
    throw new WorktreeError(`flake.lock pins ${input} at ${now}, not ${rev}, after the update`)
  return { changed: true, from: plan.from }
}
