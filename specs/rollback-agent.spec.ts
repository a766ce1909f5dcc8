import { Step } from '../helpers/flow/step.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runningAgent } from '../helpers/checks/agent-version.ts'
import { othersUnaffected } from '../helpers/checks/others-unaffected.ts'
import { hostListing, waitHostOnline } from '../helpers/dashboard/commands.ts'
import { DashboardSession } from '../helpers/dashboard/session.ts'
import { openRunFleet } from '../helpers/fleet/open-run-fleet.ts'
import { say } from '../helpers/output/say.ts'
import {
  rollbackAgents,
  type AgentRollback,
  planAgentRollback,
} from '../helpers/phases/rollback-agent.ts'
import { parseHostList } from '../helpers/config/host-list.ts'
import { inScope } from '../helpers/config/scope.ts'
import { planMode } from '../helpers/config/plan-mode.ts'
import { confirmPlan, showPlan } from '../helpers/plan/show-plan.ts'
import { valueOf } from '../helpers/flow/per-host.ts'
import { formatMs } from '../helpers/time/duration.ts'
import { poll } from '../helpers/wait/poll.ts'

/**
 * Plan P4500, Rollback Plan, "If v2 Agent Fails": on the hosts the operator
 * names in ROLLBACK_AGENT_HOSTS, the agent is disabled in nixcfg, committed,
 * pushed and rebuilt. Without a list it is skipped in production (a rollback
 * is never run by accident); the rehearsal exercises it on gpc0.
 */
const fleet = openRunFleet()
const inv = fleet.inventory
const VARIABLE = 'ROLLBACK_AGENT_HOSTS'
const REHEARSAL_DEFAULT = ['gpc0']

function rollbackHosts(): { hosts: string[]; reason?: string } {
  const eligible = inv.hosts.map((h) => h.name).filter((h) => inScope(inv, h))
  const named = parseHostList(VARIABLE, process.env[VARIABLE], eligible, inv.file)
  if (named) return { hosts: named }
  if (fleet.target === 'rehearsal') {
    const hosts = REHEARSAL_DEFAULT.filter((h) => eligible.includes(h))
    return hosts.length
      ? { hosts }
      : { hosts, reason: `${REHEARSAL_DEFAULT.join(', ')}: not in HOSTS` }
  }
  return { hosts: [], reason: `${VARIABLE} is not set: no agent rollback was asked for` }
}

const { hosts, reason } = rollbackHosts()
const dashboard = new DashboardSession(fleet.target, inv.dashboard.url)
/**
 * The rollback, after the operator's review; it first notes the hosts the
 * dashboard lists online other than the rolled-back ones (they must stay so).
 */
const rollback = new Step('agent rollback', {
  phase: 'agent rollback',
  requires: () => {
    confirmPlan(fleet.target, () => planAgentRollback(fleet, hosts), 'plan-rollback-agent.json')
    return Promise.resolve()
  },
  action: async (): Promise<AgentRollback & { othersOnline: string[] }> => {
    const c = await dashboard.get()
    const othersOnline = (await c.hosts())
      .filter((h) => h.status === 'online' && !hosts.includes(h.hostname))
      .map((h) => h.hostname)
    say(`dashboard: online before the rollback, not rolled back: ${othersOnline.join(', ')}`)
    const r = await rollbackAgents(fleet, hosts)
    say(`agent rollback on ${hosts.join(', ')} took ${formatMs(r.ms)}`)
    return { ...r, othersOnline }
  },
})

afterAll(async () => {
  await dashboard.close()
  await fleet.close()
})

describe('Rollback Plan: If v2 Agent Fails', () => {
  if (reason) {
    it('agent rollback', (ctx) => ctx.skip(reason))
    return
  }

  if (planMode()) {
    it('plan (MIGRATION_PLAN=1: nothing is done)', () => {
      expect(
        showPlan(planAgentRollback(fleet, hosts), 'plan-rollback-agent.json').steps.length,
      ).toBeGreaterThan(0)
    })
    return
  }

  beforeAll(() => rollback.run(), 45 * 60_000)

  const done = (h: string): void => void valueOf(rollback.get().switches, h)

  for (const h of hosts) {
    it(`${h}: agent stopped on the host`, async () => {
      done(h)
      const e = await fleet.get(h).os.agentStopped(fleet.get(h).host)
      expect(e.ok, `${h}: ${e.detail}`).toBe(true)
    })

    it(`${h}: offline in the dashboard`, async () => {
      done(h)
      const c = await dashboard.get()
      const listed = await poll(
        `the dashboard lists ${h} offline`,
        async () => {
          const l = await hostListing(c, h)
          if (l.online) throw new Error(l.detail)
          return l.detail
        },
        { timeout: '1m', interval: '2s' },
      )
      expect(listed).not.toMatch(/listed as (online|running)/)
    })
  }

  it('the other hosts are unaffected (agent running, online in the dashboard)', async () => {
    const { othersOnline } = rollback.get()
    const c = await dashboard.get()
    const problems = await othersUnaffected(othersOnline, {
      online: (h) => waitHostOnline(c, h, '30s'),
      // A host the dashboard lists but the inventory does not name cannot be reached here.
      agent: (h) =>
        inv.hosts.some((x) => x.name === h)
          ? runningAgent(fleet.get(h))
          : Promise.resolve(undefined),
    })
    expect(problems, problems.join('\n')).toEqual([])
  })
})
