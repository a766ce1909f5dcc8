import { spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { journalLocal } from '../transcript/transcript.ts'
import { isAbsolute, join, relative } from 'node:path'
import type { Target } from '../config/target.ts'
import { targetAccess } from '../config/target-access.ts'
import type { FileEdit } from './agent-block.ts'

export class WorktreeError extends Error {
  override name = 'WorktreeError'
}

/** The operator's nixcfg working copy, as the target describes it (NIXCFG_WORKTREE in production). */
export function worktreePath(target: Target, env = process.env): string {
  const w = targetAccess(target, env).worktree
  if ('missing' in w) throw new WorktreeError(w.missing)
  return w.dir
}

/**
 * The plan's "commit the changes, git push" done carefully in the operator's
 * working copy: on the inventory's branch, up to date with the remote before
 * any edit, the runbook's files untouched by uncommitted work, and exactly
 * the edited files committed (never `git add -A`, which would sweep in
 * whatever else is lying around).
 */
export class Worktree {
  constructor(
    readonly dir: string,
    readonly branch: string,
  ) {}

  git(...args: string[]): string {
    const r = journalLocal(`git -C ${this.dir} ${args.join(' ')}`, () => {
      const out = spawnSync('git', args, { cwd: this.dir, encoding: 'utf8', timeout: 120_000 })
      return { value: out, exitCode: out.status ?? -1, stderr: out.stderr ?? '' }
    })
    if (r.error) throw new WorktreeError(`git ${args[0]} in ${this.dir}: ${r.error.message}`)
    if (r.status !== 0)
      throw new WorktreeError(
        `git ${args.join(' ')} in ${this.dir} failed (exit ${r.status}): ${r.stderr.trim() || r.stdout.trim()}`,
      )
    return r.stdout.trim()
  }

  /** On the branch, in step with the remote (fast-forwarded if behind), before anything is edited. */
  prepare(files: string[]): void {
    if (!existsSync(join(this.dir, '.git')))
      throw new WorktreeError(`${this.dir} is not a git working copy`)
    const current = this.git('rev-parse', '--abbrev-ref', 'HEAD')
    if (current !== this.branch)
      throw new WorktreeError(
        `${this.dir} is on branch ${current}, the fleet pulls ${this.branch}: switch branches first`,
      )
    const dirty = this.git('status', '--porcelain', '--', ...files)
    if (dirty)
      throw new WorktreeError(
        `${this.dir} has uncommitted changes in files the runbook edits:\n${dirty}\ncommit or stash them first`,
      )
    this.git('fetch', '--quiet', 'origin', this.branch)
    const [ahead, behind] = this.aheadBehind()
    if (behind > 0 && ahead > 0)
      throw new WorktreeError(
        `${this.dir}: ${this.branch} and origin/${this.branch} have diverged (${ahead} ahead, ${behind} behind): reconcile first`,
      )
    if (behind > 0) this.git('merge', '--ff-only', '--quiet', `origin/${this.branch}`)
  }

  aheadBehind(): [number, number] {
    const out = this.git('rev-list', '--left-right', '--count', `HEAD...origin/${this.branch}`)
    const [a, b] = out.split(/\s+/).map(Number)
    return [a ?? 0, b ?? 0]
  }

  /** Path of a repository file relative to the working copy (edits carry absolute paths). */
  rel(file: string): string {
    return isAbsolute(file) ? relative(this.dir, file) : file
  }

  /**
   * Writes the edits, commits them once with the plan's message and pushes.
   * Idempotent: with nothing changed and nothing unpushed, it does nothing
   * and says so; a commit left unpushed by an interrupted run is pushed.
   */
  commitAndPush(
    edits: FileEdit[],
    message: string,
    /** Files already written by other means (flake.lock), committed if they changed. */
    extraFiles: string[] = [],
  ): { commit: string; committed: boolean; pushed: boolean; note: string } {
    for (const e of edits.filter((x) => x.changed))
      writeFileSync(join(this.dir, this.rel(e.file)), e.after)
    const files = [...edits.map((e) => this.rel(e.file)), ...extraFiles]
    const changed = this.git('status', '--porcelain', '--', ...files)
      .split('\n')
      .filter(Boolean)
    let committed = false
    if (changed.length > 0) {
      this.git('add', '--', ...files)
      this.git('commit', '--quiet', '-m', message, '--', ...files)
      committed = true
    }
    const [ahead] = this.aheadBehind()
    let pushed = false
    if (ahead > 0) {
      this.git('push', '--quiet', 'origin', `HEAD:${this.branch}`)
      pushed = true
    }
    // The change's commit: HEAD when this run committed or pushed; otherwise the last
    // commit that touched these files (later commits, a pull probe say, are not this change).
    const commit =
      committed || pushed
        ? this.git('rev-parse', 'HEAD')
        : this.git('log', '-1', '--format=%H', 'HEAD', '--', ...files) ||
          this.git('rev-parse', 'HEAD')
    const short = commit.slice(0, 7)
    const note = committed
      ? `committed ${short} "${message}" (${changed.length} files) and pushed`
      : pushed
        ? `nothing to edit; pushed ${ahead} commit(s) left unpushed earlier (HEAD ${short})`
        : `nothing to commit: every file already reads as intended; ${this.branch} is at ${short} on origin`
    return { commit, committed, pushed, note }
  }
}
