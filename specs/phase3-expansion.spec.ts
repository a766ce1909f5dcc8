import { Step } from '../helpers/flow/step.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitAgentConnected } from '../helpers/checks/agent-connected.ts'
import { waitHostOnline } from '../helpers/dashboard/commands.ts'
import { dashboardDownReason } from '../helpers/dashboard/dashboard-down.ts'
import { DashboardSession } from '../helpers/dashboard/session.ts'
import { openRunFleet } from '../helpers/fleet/open-run-fleet.ts'
import { hostsForPhase } from '../helpers/inventory/load-inventory.ts'
import { rolloutV2Agents, v2CommitMessage, planPhase3 } from '../helpers/phases/phase2.ts'
import { parseHostList } from '../helpers/config/host-list.ts'
import { hostScope } from '../helpers/config/scope.ts'
import { agentsUnmet, enforcePrerequisites } from '../helpers/phases/prerequisites.ts'
import { planMode } from '../helpers/config/plan-mode.ts'
import { confirmPlan, showPlan } from '../helpers/plan/show-plan.ts'
import { valueOf } from '../helpers/flow/per-host.ts'
import { switchedOk } from '../helpers/phases/phase2-run.ts'
import { HostWaits } from '../helpers/wait/start-now.ts'
import { withContext } from '../helpers/transcript/run-context.ts'

/**
 * Plan P4500, Phase 3: Later Expansion ("not now"). It acts only on the hosts
 * the operator names in PHASE3_HOSTS (comma-separated, each a phase-3 host of
 * the inventory); without a list it is skipped and says why. The rehearsal
 * exercises it on all six remaining hosts.
 */
const fleet = openRunFleet()
const inv = fleet.inventory
const dashboardDown = (): Promise<string | undefined> =>
  dashboardDownReason(fleet.target, inv.dashboard.url)

function phase3Hosts(): { hosts: string[]; reason?: string } {
  const eligible = hostsForPhase(inv, 3, hostScope(inv)).map((h) => h.name)
  const named = parseHostList('PHASE3_HOSTS', process.env.PHASE3_HOSTS, eligible, inv.file)
  if (named) return { hosts: named }
  if (fleet.target === 'rehearsal') return { hosts: eligible }
  return {
    hosts: [],
    reason: `PHASE3_HOSTS is not set: the plan leaves the expansion for later (eligible: ${eligible.join(', ')})`,
  }
}

const { hosts, reason } = phase3Hosts()
const dashboard = new DashboardSession(fleet.target, inv.dashboard.url)
/** Plan mode's review first, then the v2 dashboard must be there to take the agents. */
const rollout = new Step('phase 3 rollout', {
  phase: 'phase 3',
  requires: async () => {
    confirmPlan(fleet.target, () => planPhase3(fleet, hosts), 'plan-phase3.json')
    enforcePrerequisites('phase 3', await agentsUnmet(fleet))
  },
  action: () => rolloutV2Agents(fleet, hosts, v2CommitMessage(hosts)),
})

afterAll(async () => {
  await dashboard.close()
  await fleet.close()
})

describe('Phase 3: Later Expansion', () => {
  if (reason) {
    it('expansion to the remaining hosts', (ctx) => ctx.skip(reason))
    return
  }

  if (planMode()) {
    it('plan (MIGRATION_PLAN=1: nothing is done)', () => {
      expect(showPlan(planPhase3(fleet, hosts), 'plan-phase3.json').steps.length).toBeGreaterThan(0)
    })
    return
  }

  const checkTitle = (h: string): string => `${h}: v2 agent connected and online in the dashboard`
  // Each switched host's wait starts right after the rollout, all at once; each check
  // still awaits and reports only its own host.
  const online = new HostWaits((h) =>
    withContext({ phase: 'phase 3', check: checkTitle(h) }, async () => {
      await waitAgentConnected(fleet.get(h), '3m', dashboardDown)
      return waitHostOnline(await dashboard.get(), h)
    }),
  )
  beforeAll(async () => {
    await rollout.run()
    online.start(hosts.filter((h) => switchedOk(rollout, h)))
  }, 45 * 60_000)

  for (const h of hosts) {
    it(checkTitle(h), async () => {
      valueOf(rollout.get().switches, h)
      expect(await online.of(h)).toContain('online')
    })
  }
})
