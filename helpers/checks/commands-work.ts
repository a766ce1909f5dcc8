import type { DashboardClient } from '../dashboard/client.ts'
import { hostListing, sendCommand } from '../dashboard/commands.ts'
import type { Fleet } from '../fleet/fleet.ts'
import { lockedRev } from '../nixcfg/flake-lock.ts'
import { Worktree, worktreePath } from '../nixcfg/worktree.ts'
import { poll } from '../wait/poll.ts'
import { agentCheckoutHead, pullProblems, pushPullProbe } from './pull-probe.ts'

export const PULL_PROBE_MESSAGE =
  'nixfleet migration: pull probe (empty commit; P4500 "commands work": pull must bring it to every agent)'

/** The generation the dashboard lists for `host`, waited for until it is `want` or the time is up. */
async function reportedGeneration(
  client: DashboardClient,
  host: string,
  want: string,
  timeoutMs: number,
): Promise<string> {
  let last = ''
  try {
    return await poll(
      `${host} reports generation ${want}`,
      async () => {
        last = (await hostListing(client, host)).generation
        if (last !== want) throw new Error(`generation ${last || '-'}`)
        return last
      },
      { timeout: Math.max(1000, timeoutMs), interval: '2s' },
    )
  } catch {
    return last
  }
}

/**
 * The plan's "commands work (pull, switch)", sent through the dashboard as
 * its UI does, with a pull that must move an existing checkout (see
 * pull-probe.ts): a probe commit is pushed, each host pulls, its checkout and
 * reported generation must be the probe, then it switches. Every problem
 * names its host; [] when both commands worked on every host.
 */
export async function commandsWork(
  client: DashboardClient,
  fleet: Fleet,
  hosts: string[],
  left: () => number,
): Promise<string[]> {
  const inv = fleet.inventory
  const tree = new Worktree(worktreePath(fleet.target), inv.nixcfg.branch)
  const agentRevision = lockedRev(tree.dir, inv.nixcfg.nixfleet_input)
  const probe = pushPullProbe(tree, PULL_PROBE_MESSAGE)
  const problems: string[] = []
  for (const host of hosts)
    try {
      problems.push(...(await pullThenSwitch(client, fleet, host, probe, agentRevision, left)))
    } catch (err) {
      problems.push(`${host}: ${(err as Error).message}`)
    }
  return problems
}

async function pullThenSwitch(
  client: DashboardClient,
  fleet: Fleet,
  host: string,
  probe: string,
  agentRevision: string,
  left: () => number,
): Promise<string[]> {
  const fh = fleet.get(host)
  // Watched on the host too: an agent that stops mid-command fails the check at once.
  const watch = {
    whyNot: async (): Promise<string | undefined> => {
      const s = await fh.os.agentState(fh.host)
      return s.running ? undefined : `the agent on ${host} is not running (${s.detail})`
    },
  }
  const run = await sendCommand(client, host, 'pull', left(), watch)
  const generation =
    run.exitCode === 0
      ? await reportedGeneration(client, host, probe.slice(0, 7), Math.min(60_000, left()))
      : (await hostListing(client, host)).generation
  const head = await agentCheckoutHead(fh)
  const pulled = pullProblems({ host, run, probe, head, generation, agentRevision })
  if (pulled.length) return pulled
  const sw = await sendCommand(client, host, 'switch', left(), watch)
  if (sw.exitCode !== 0)
    return [
      `${host}: switch ended ${sw.status} (exit ${sw.exitCode ?? 'none'}) ${sw.message}: ${sw.lines.slice(-3).join(' | ') || 'no output'}`,
    ]
  return sw.lines.length ? [] : [`${host}: switch streamed no output`]
}
