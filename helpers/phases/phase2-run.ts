import { readAgentSession } from '../checks/agent-connected.ts'
import type { FleetHost } from '../fleet/fleet.ts'
import type { DashboardClient } from '../dashboard/client.ts'
import { waitHostOnline, type AgentSide } from '../dashboard/commands.ts'
import { dashboardDownReason } from '../dashboard/dashboard-down.ts'
import { DashboardSession } from '../dashboard/session.ts'
import type { Fleet } from '../fleet/fleet.ts'
import type { HostOutcome } from '../flow/per-host.ts'
import { outOfScope } from '../config/scope.ts'
import type { Step } from '../flow/step.ts'
import { ledgerFile, StepLedger } from '../flow/step-ledger.ts'
import { dashboardStack, testHosts } from './phase2.ts'
import {
  agentsUnmet,
  enforcePrerequisites,
  once,
  phase2Unmet,
  requireSecrets,
} from './prerequisites.ts'

/**
 * What phase 2's spec works with, so the spec reads as the plan: the hosts
 * and csb1's stack, one logged-in dashboard session shared by its checks,
 * the step ledger, and the two prerequisites (csb1 is touched only with v1
 * down and its backup verified; agents only with v2 answering).
 */
export function phase2Run(fleet: Fleet) {
  const inv = fleet.inventory
  const url = inv.dashboard.url
  const dashboard = new DashboardSession(fleet.target, url)
  const session = (): Promise<DashboardClient> => dashboard.get()
  return {
    inv,
    url,
    csb1: inv.dashboard.host,
    hosts: testHosts(fleet),
    stack: dashboardStack(fleet),
    /** Reboots already proven on this target (a re-run does not repeat them). */
    ledger: new StepLedger(ledgerFile(fleet.target)),
    /** Why agents cannot connect right now, if the cause is the dashboard's. */
    dashboardDown: (): Promise<string | undefined> => dashboardDownReason(fleet.target, url),
    session,
    /** The dashboard lists `host` online; gives up on a host it refuses, or answered but never stored. */
    waitOnline: async (host: string): Promise<string> =>
      waitHostOnline(await session(), host, '2m', () => agentSide(fleet.get(host))),
    /** Why csb1's checks are skipped (HOSTS leaves it out), if they are. */
    csb1Skip: outOfScope(inv, inv.dashboard.host),
    phase2Ready: once(async () => {
      // The login checks of 2.7 need these: missing, nothing on csb1 is touched.
      requireSecrets('phase 2', ['dashboardPassword', 'totpSecret'])
      enforcePrerequisites('phase 2', await phase2Unmet(fleet))
    }),
    agentsReady: once(async () =>
      enforcePrerequisites('the v2 agent rollout', await agentsUnmet(fleet)),
    ),
    close: async (): Promise<void> => {
      await dashboard.close()
      await fleet.close()
    },
  }
}

/** Whether the rollout ran and its switch on this host succeeded (no throw: the checks report failures). */
export function switchedOk(
  rollout: Step<{ switches: Map<string, HostOutcome<unknown>> }>,
  host: string,
): boolean {
  return rollout.ok && rollout.get().switches.get(host)?.ok === true
}

/** What the host's agent logged since its start, for the wait on its listing. */
async function agentSide(fh: FleetHost): Promise<AgentSide> {
  const s = await readAgentSession(fh)
  const last = s.refusals.at(-1)?.trim() ?? ''
  return {
    registered: Boolean(s.registered),
    ...(s.refusals.length >= 2
      ? { refused: `${s.refusals.length} times since it started: ${last}` }
      : {}),
  }
}
