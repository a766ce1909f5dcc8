import type { Fleet } from '../fleet/fleet.ts'
import { planDisableAgent } from '../nixcfg/edit-host-file.ts'
import { planAllEdits } from '../nixcfg/plan-all-edits.ts'
import { Worktree, worktreePath } from '../nixcfg/worktree.ts'
import { say } from '../output/say.ts'
import { describeOutcome, parallelLimit, perHost, type HostOutcome } from '../runner/per-host.ts'
import { pullAndSwitch, type SwitchResult } from '../steps/pull-and-switch.ts'
import { agentStopped } from './phase1.ts'

export interface AgentRollback {
  commit: string
  note: string
  switches: Map<string, HostOutcome<SwitchResult>>
  ms: number
}

export function agentRollbackMessage(hosts: string[]): string {
  return `fix: roll back nixfleet v2 agent on ${hosts.join(', ')}`
}

/**
 * Plan "Rollback Plan / If v2 Agent Fails": in nixcfg, set
 * `services.nixfleet-agent.enable = false` on the named hosts (every file
 * proven by the Nix parser before anything is written), one commit, one
 * push, then rebuild those hosts and no other.
 */
export async function rollbackAgents(fleet: Fleet, hosts: string[]): Promise<AgentRollback> {
  const started = Date.now()
  const tree = new Worktree(worktreePath(fleet.target), fleet.inventory.nixcfg.branch)
  const specs = hosts.map((h) => fleet.get(h).spec)
  tree.prepare(specs.map((s) => s.config_file))
  const edits = planAllEdits(tree.dir, specs, (file) => planDisableAgent(file))
  const pushed = tree.commitAndPush(edits, agentRollbackMessage(hosts))
  say(`nixcfg: ${pushed.note}`)
  const switches = await perHost(hosts, parallelLimit(), (h) =>
    pullAndSwitch(fleet.get(h), {
      commit: pushed.commit,
      branch: fleet.inventory.nixcfg.branch,
      isDone: () => agentStopped(fleet.get(h)),
    }),
  )
  for (const o of switches.values()) say(describeOutcome(o, (r) => r.note))
  return { commit: pushed.commit, note: pushed.note, switches, ms: Date.now() - started }
}
