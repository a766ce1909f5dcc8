import { Step } from '../helpers/flow/step.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agentHostsInNixcfg, hostsBeyondPlan } from '../helpers/checks/hosts-beyond-plan.ts'
import { worktreePath } from '../helpers/nixcfg/worktree.ts'
import { say } from '../helpers/output/say.ts'
import { openRunFleet } from '../helpers/fleet/open-run-fleet.ts'
import { hostsForPhase } from '../helpers/inventory/load-inventory.ts'
import { runPhase1, planPhase1 } from '../helpers/phases/phase1.ts'
import { planMode } from '../helpers/config/plan-mode.ts'
import { confirmPlan, showPlan } from '../helpers/plan/show-plan.ts'
import { valueOf } from '../helpers/flow/per-host.ts'
import { writeRunArtifact } from '../helpers/transcript/run-folder.ts'
import { outOfScope } from '../helpers/config/scope.ts'
import { remotePath } from '../helpers/shell/quote.ts'
import { describeContainer, volumeFor } from '../helpers/steps/v1-container.ts'
import { sourceCounts, verifyBackup } from '../helpers/steps/v1-backup.ts'
import { DashboardStack } from '../helpers/steps/dashboard-stack.ts'
import { formatMs } from '../helpers/time/duration.ts'

/**
 * Plan P4500, Phase 1: Decommission v1. `beforeAll` performs §1.1 and §1.2;
 * each test is a checkbox of §1.3, and re-reads the fleet itself rather than
 * trusting what the actions reported.
 */
const fleet = openRunFleet()
const phaseHosts = hostsForPhase(fleet.inventory, 1).map((h) => h.name)
const dashboardHost = fleet.inventory.dashboard.host
/** §1.1 and §1.2 after the operator's review; a refusal or failure is every check's reason. */
const phase1 = new Step('phase 1', {
  phase: 'phase 1',
  requires: () => {
    // Production: the operator's log shows the whole plan before the first change.
    confirmPlan(fleet.target, () => planPhase1(fleet), 'plan-phase1.json')
    return Promise.resolve()
  },
  action: () => runPhase1(fleet),
})

describe('Phase 1: Decommission v1', () => {
  if (planMode()) {
    it('plan (MIGRATION_PLAN=1: nothing is done)', () => {
      expect(showPlan(planPhase1(fleet), 'plan-phase1.json').steps.length).toBeGreaterThan(0)
    })
    return
  }

  beforeAll(async () => {
    await phase1.run()
    if (!phase1.ok) return
    const result = phase1.get()
    // For the benchmark: each host's own work against the phase as a whole.
    writeRunArtifact('phase1-timings.json', {
      phaseMs: result.ms,
      switchWallMs: result.switchWallMs,
      hostMs: Object.fromEntries([...result.switches.values()].map((o) => [o.host, o.ms])),
    })
  }, 45 * 60_000)

  afterAll(async () => {
    await fleet.close()
  })

  describe('Beyond the plan', () => {
    // The real fleet had a ninth agent host the plan's tables do not list.
    it('every host running an agent is in the inventory (migrated, or left out with a reason)', () => {
      const result = phase1.get()
      const v1Listed = 'listed' in result.v1 ? result.v1.listed : new Map<string, string | null>()
      const found = hostsBeyondPlan(fleet.inventory, {
        nixcfg: agentHostsInNixcfg(worktreePath(fleet.target)),
        v1Listed,
      })
      for (const l of found.leftOut) say(l)
      expect(found.problems, found.problems.join('\n')).toEqual([])
      if (!('listed' in result.v1))
        say(
          `the v1 dashboard's host list was not read (${'skipped' in result.v1 ? result.v1.skipped : result.v1.error.message}): nixcfg only`,
        )
    })
  })

  describe('Beyond the plan: csb1 as the executed plan left it', () => {
    it(`${dashboardHost}: old nixfleet folder archived (executed plan §1.3)`, async (ctx) => {
      const result = phase1.get()
      if ('skipped' in result.dashboard) return ctx.skip(result.dashboard.skipped)
      if ('error' in result.dashboard) throw result.dashboard.error
      const { host } = fleet.get(dashboardHost)
      const { archive, checkout } = fleet.inventory.dashboard
      const found = await host.run(
        `ls -d ${remotePath(archive.replace(/\{date\}.*$/, '')).text}*/docker/docker-compose.csb1.yml 2>/dev/null | grep -v '[.]partial/'`,
        { timeout: '30s' },
      )
      expect(
        found.stdout.trim(),
        `${dashboardHost}: no archive of ${checkout} (${archive}) holding v1's docker/docker-compose.csb1.yml`,
      ).not.toBe('')
    })
  })

  describe('1.3 Verification Checklist - Phase 1', () => {
    for (const name of phaseHosts) {
      it(`${name}: v1 agent stopped`, async (ctx) => {
        const skip = outOfScope(fleet.inventory, name)
        if (skip) return ctx.skip(skip)
        const result = phase1.get()
        // The host's own work first: an unreachable host or a failed rebuild is the reason.
        const done = valueOf(result.switches, name)
        const fh = fleet.get(name)
        const evidence = await fh.os.agentStopped(fh.host)
        expect(evidence.ok, `${name}: ${evidence.detail}`).toBe(true)

        // Seen from the v1 dashboard: polls moved before the change, and no longer move.
        if ('skipped' in result.v1) return
        if ('error' in result.v1)
          throw new Error(`${name}: the v1 dashboard could not be read: ${result.v1.error.message}`)
        const before = result.v1.before.get(name)
        const after = result.v1.after.get(name)
        const wasRunning = result.runningBefore.get(name)
        if (wasRunning?.ok && wasRunning.value) {
          expect(
            before?.advanced,
            `${name}: the v1 dashboard saw no poll from ${name} in ${formatMs(before?.windowMs ?? 0)} while its agent ran, so it cannot show the agent stopping`,
          ).toBe(true)
        }
        expect(
          after?.advanced,
          `${name}: the v1 dashboard still receives polls from ${name} after the switch (last_seen ${after?.first ?? '-'} → ${after?.last ?? '-'}; ${done.note})`,
        ).toBe(false)
      })
    }

    it(`${dashboardHost}: v1 dashboard stopped`, async (ctx) => {
      const result = phase1.get()
      if ('skipped' in result.dashboard) return ctx.skip(result.dashboard.skipped)
      if ('error' in result.dashboard) throw result.dashboard.error
      const stack = new DashboardStack(fleet.get(dashboardHost).host, fleet.inventory)
      const listed = await stack.nixfleetContainers()
      expect(
        listed,
        `${dashboardHost}: \`docker ps | grep nixfleet\` should show nothing, shows: ${listed.join(' | ')}`,
      ).toEqual([])
      // Re-read: the container phase 1 found (it stays, stopped, for the rollback).
      const v1 = await stack.v1Container()
      expect(
        v1?.running,
        `${dashboardHost}: the v1 dashboard still runs: ${v1 ? describeContainer(v1) : ''}`,
      ).not.toBe(true)
    })

    it(`${dashboardHost}: database backed up`, async (ctx) => {
      const result = phase1.get()
      if ('skipped' in result.dashboard) return ctx.skip(result.dashboard.skipped)
      if ('error' in result.dashboard) throw result.dashboard.error
      const { backup, v1 } = result.dashboard
      const stack = new DashboardStack(fleet.get(dashboardHost).host, fleet.inventory)
      // The source re-read from v1's volume, the backup re-read from the checkout.
      const { volume, dir } = volumeFor(dashboardHost, v1, fleet.inventory.dashboard.database)
      const source = await sourceCounts(stack, v1, volume, dir, fleet.inventory.dashboard.database)
      const check = await verifyBackup(stack, backup.backup, source, backup.database)
      expect(
        check.ok ? '' : check.why,
        `${dashboardHost}: ${stack.checkout}/${backup.backup}`,
      ).toBe('')
      if (!check.ok) return
      expect(
        check.check.sha256,
        `${dashboardHost}: ${backup.backup} changed since it was taken`,
      ).toBe(backup.sha256)
      expect(check.check.tables, `${dashboardHost}: ${backup.backup} lacks the v1 tables`).toEqual(
        expect.arrayContaining(['hosts', 'sessions']),
      )
      expect(
        Object.values(source).reduce((a, b) => a + b, 0),
        `${dashboardHost}: ${backup.database} is empty: a backup of nothing proves nothing`,
      ).toBeGreaterThan(0)
    })
  })
})
