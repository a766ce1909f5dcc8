import type { Fleet } from '../fleet/fleet.ts'
import { planDisableAgent } from '../nixcfg/edit-host-file.ts'
import { PhasePlan } from '../plan/phase-plan.ts'
import type { HostOutcome } from '../flow/per-host.ts'
import {
  applyNixcfgChange,
  describeNixcfgChange,
  type NixcfgChange,
} from '../steps/nixcfg-change.ts'
import type { SwitchResult } from '../steps/pull-and-switch.ts'
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

/** The rollback as one nixcfg change: the named hosts' agents disabled, one commit, those hosts switched. */
export function agentRollbackChange(hosts: string[]): NixcfgChange {
  return {
    hosts,
    edit: (file) => planDisableAgent(file),
    message: agentRollbackMessage(hosts),
    isDone: (fh) => agentStopped(fh),
  }
}

/**
 * Plan "Rollback Plan / If v2 Agent Fails": in nixcfg, set
 * `services.nixfleet-agent.enable = false` on the named hosts (every file
 * proven by the Nix parser before anything is written), one commit, one
 * push, then rebuild those hosts and no other.
 */
export async function rollbackAgents(fleet: Fleet, hosts: string[]): Promise<AgentRollback> {
  const started = Date.now()
  const r = await applyNixcfgChange(fleet, agentRollbackChange(hosts))
  return { ...r, ms: Date.now() - started }
}

/** What the agent rollback will do, from the same change its run applies. */
export function planAgentRollback(fleet: Fleet, hosts: string[]): PhasePlan {
  const plan = new PhasePlan('Rollback: v2 agent')
  describeNixcfgChange(fleet, agentRollbackChange(hosts), plan)
  return plan
}
