import type { FleetHost } from '../fleet/fleet.ts'
import type { CommandRun } from '../dashboard/commands.ts'
import type { Worktree } from '../nixcfg/worktree.ts'
import { configuredValue } from './agent-version.ts'

/**
 * "pull" proves itself only by moving a checkout that already exists: the
 * agent's first pull may be a clone, which any agent passes. So a new commit
 * (empty: it changes no host) is pushed once the agents have their
 * checkouts, every host pulls, and each host's checkout HEAD and the
 * generation the dashboard reports must be that commit.
 */
export function pushPullProbe(tree: Worktree, message: string): string {
  tree.prepare([])
  // --only without paths: an empty commit that never sweeps in what the operator staged.
  tree.git('commit', '--quiet', '--allow-empty', '--only', '-m', message)
  tree.git('push', '--quiet', 'origin', `HEAD:${tree.branch}`)
  return tree.git('rev-parse', 'HEAD')
}

/** The commit the agent's own checkout is at (NIXFLEET_REPO_DIR of its unit or job). */
export async function agentCheckoutHead(fh: FleetHost): Promise<string> {
  const dir = configuredValue(await fh.os.agentConfiguration(fh.host), 'NIXFLEET_REPO_DIR')
  if (!dir) return '(the agent configuration names no NIXFLEET_REPO_DIR)'
  // %h is systemd's home; "$HOME" in the launchd wrapper: both the agent user's home.
  const path = dir.replace(/^%h/, '$HOME')
  const r = await fh.host.run(`git -C "${path}" rev-parse HEAD 2>&1`, { timeout: '30s' })
  return r.exitCode === 0 ? r.stdout.trim() : `(no checkout at ${dir}: ${r.stdout.trim()})`
}

export interface PullEvidence {
  host: string
  run: CommandRun
  /** The probe commit pushed before the pull (full id). */
  probe: string
  /** The host's checkout HEAD after the pull (full id, or why there is none). */
  head: string
  /** The generation the dashboard lists for the host after the pull. */
  generation: string
  /** The nixfleet revision the agents are built from (nixcfg's flake.lock). */
  agentRevision: string
}

/** What is wrong with a pull, each problem naming the host and the agent's revision; [] when it moved. */
export function pullProblems(e: PullEvidence): string[] {
  const agent = `agent built from nixfleet ${e.agentRevision}`
  const short = e.probe.slice(0, 7)
  if (e.run.exitCode !== 0)
    return [
      `${e.host}: pull ended ${e.run.status} (exit ${e.run.exitCode ?? 'none'}) ${e.run.message}: ${e.run.lines.slice(-3).join(' | ') || 'no output'} (${agent})`,
    ]
  const problems: string[] = []
  if (e.head !== e.probe)
    problems.push(
      `${e.host}: pull exited 0 but the agent's checkout is at ${e.head.slice(0, 12)}, not the pushed ${short} (${agent}: a pull that only fetches never moves it)`,
    )
  if (e.generation !== short)
    problems.push(
      `${e.host}: after the pull the dashboard reports generation ${e.generation || '-'}, not the pushed ${short} (${agent})`,
    )
  return problems
}
