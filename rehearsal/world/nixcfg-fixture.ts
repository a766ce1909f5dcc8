import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fixtureGit } from './fixture-git.ts'
import { paths } from './state.ts'

export const NIXCFG_FIXTURE = fileURLToPath(new URL('../../fixtures/nixcfg/', import.meta.url))

const DATE = '2025-12-13T21:40:00+01:00'
const git = (cwd: string, ...args: string[]): string => fixtureGit(cwd, DATE, ...args)

/**
 * The nixcfg remote as it was before the migration: one commit holding the
 * fixture (all hosts on the v1 agent). Made fresh for each rehearsal.
 */
export function createNixcfgRemote(): string {
  rmSync(paths.bareRepo, { recursive: true, force: true })
  const work = mkdtempSync(join(tmpdir(), 'nixcfg-fixture-'))
  cpSync(NIXCFG_FIXTURE, work, { recursive: true })
  git(work, 'init', '--quiet', '--initial-branch=main')
  git(work, 'add', '-A')
  git(
    work,
    'commit',
    '--quiet',
    '-m',
    'fix(nixfleet): pin agent to isolated repo mode on all hosts',
  )
  git(work, 'clone', '--quiet', '--bare', work, paths.bareRepo)
  rmSync(work, { recursive: true, force: true })
  return paths.bareRepo
}

/** The operator's working copy for a rehearsal: a fresh clone of the simulated remote. */
export function cloneOperatorWorktree(remoteUrl: string): string {
  if (existsSync(paths.worktree)) rmSync(paths.worktree, { recursive: true, force: true })
  execFileSync('git', ['clone', '--quiet', remoteUrl, paths.worktree])
  // The rehearsal's operator commits under a name of its own (a fresh machine has no git identity).
  execFileSync('git', ['-C', paths.worktree, 'config', 'user.name', 'Rehearsal Operator'])
  execFileSync('git', ['-C', paths.worktree, 'config', 'user.email', 'operator@rehearsal.invalid'])
  return paths.worktree
}
