import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname, userInfo } from 'node:os'
import { join } from 'node:path'
import { resolveTarget } from '../config/target.ts'
import { worktreePath } from '../nixcfg/worktree.ts'
import { loadInventory } from '../inventory/load-inventory.ts'
import { describeScope } from '../config/scope.ts'
import type { RunMeta } from './results.ts'

const git = (cwd: string, ...args: string[]): string => {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', timeout: 30_000 })
  return r.status === 0 ? r.stdout.trim() : ''
}

function scopeText(): string {
  try {
    return describeScope(loadInventory())
  } catch (err) {
    return `(${(err as Error).message})`
  }
}

function nixcfgHead(): string {
  try {
    const dir = worktreePath(resolveTarget())
    return existsSync(dir) ? git(dir, 'rev-parse', 'HEAD') || '(unknown)' : '(no working copy)'
  } catch (err) {
    return `(${(err as Error).message.split(':')[0] ?? 'unknown'})`
  }
}

/** At the start of a run (global setup): who, where, which runbook, nixcfg before. */
export function beginRunMeta(folder: string, runId: string): void {
  const meta: Partial<RunMeta> = {
    runId,
    target: resolveTarget(),
    faults: process.env.REHEARSAL_FAULTS ?? '',
    startedAt: new Date().toISOString(),
    operator: userInfo().username,
    machine: hostname(),
    runbookCommit: git(process.cwd(), 'rev-parse', 'HEAD') || '(not a git checkout)',
    nixcfgBefore: nixcfgHead(),
    scope: scopeText(),
  }
  writeFileSync(join(folder, 'run-meta.json'), JSON.stringify(meta, null, 2) + '\n')
}

/** At the end of a run (reporter): the start record completed with nixcfg after. */
export function finishRunMeta(folder: string): RunMeta {
  const file = join(folder, 'run-meta.json')
  const start = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<RunMeta>) : {}
  return {
    runId: start.runId ?? '',
    target: start.target ?? resolveTarget(),
    faults: start.faults ?? '',
    startedAt: start.startedAt ?? '',
    finishedAt: new Date().toISOString(),
    operator: start.operator ?? userInfo().username,
    machine: start.machine ?? hostname(),
    runbookCommit: start.runbookCommit ?? '',
    nixcfgBefore: start.nixcfgBefore ?? '',
    nixcfgAfter: nixcfgHead(),
    scope: start.scope ?? scopeText(),
  }
}
