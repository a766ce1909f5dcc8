import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitAgentConnected } from '../helpers/checks/agent-connected.ts'
import { disabledHostBuilds, disabledHostToBuild } from '../helpers/checks/disabled-host-builds.ts'
import {
  neighbourBaseline,
  neighboursLost,
  type StoppedIsFinal,
} from '../helpers/checks/neighbour-guard.ts'
import { hostListing } from '../helpers/dashboard/commands.ts'
import { commandsWork } from '../helpers/checks/commands-work.ts'
import { dashboardClient } from '../helpers/dashboard/dashboard-access.ts'
import { totpCode } from '../helpers/dashboard/totp.ts'
import { openRunFleet } from '../helpers/fleet/open-run-fleet.ts'
import { phase2Run, switchedOk } from '../helpers/phases/phase2-run.ts'
import { scopedIt } from '../helpers/runner/scoped-it.ts'
import {
  dashboardStartedAt,
  deployDashboard,
  rebootOnce,
  rolloutV2Agents,
  v2CommitMessage,
  waitDashboardHealthy,
  type RebootEvidence,
  planPhase2,
} from '../helpers/phases/phase2.ts'
import { perHost, valueOf, type HostOutcome } from '../helpers/flow/per-host.ts'
import { planMode } from '../helpers/config/plan-mode.ts'
import { confirmPlan, showPlan } from '../helpers/plan/show-plan.ts'
import { readSecret } from '../helpers/secrets/secrets.ts'
import { withContext } from '../helpers/transcript/run-context.ts'
import { NotRunError, Step } from '../helpers/flow/step.ts'
import { RebootWaitError } from '../helpers/hosts/errors.ts'
import { gaveUpEarly, poll, TerminalStateError } from '../helpers/wait/poll.ts'
import { dashboardStaysDown } from '../helpers/checks/persistence.ts'
import { HostWaits } from '../helpers/wait/start-now.ts'
import { simulatedContractTests } from '../helpers/steps/simulated-contract-tests.ts'
import { say } from '../helpers/output/say.ts'
import { budget, CHECK_BUDGET_MS } from '../helpers/wait/budget.ts'
import type { Duration } from '../helpers/time/duration.ts'

/**
 * Plan P4500, Phase 2: Deploy v2. Each section's `beforeAll` performs the
 * plan's actions; its tests are the section's verify lines; the last block
 * is the §2.7 checklist, each checkbox re-checked on the fleet as it is.
 * A section whose action failed fails its own checks and the next sections
 * still run (their checks say what they find).
 */
const PHASE = 'phase 2'
const fleet = openRunFleet()
const run = phase2Run(fleet)
const { csb1, hosts, stack, url, ledger, dashboardDown, session, waitOnline } = run
const { phase2Ready, agentsReady } = run
/** A check of csb1 (the dashboard host): skipped, with the reason, when HOSTS leaves csb1 out. */
const csb1Skip = run.csb1Skip
const csb1It = scopedIt(csb1Skip)
afterAll(() => run.close())

describe('Phase 2: Deploy v2', () => {
  if (planMode()) {
    it('plan (MIGRATION_PLAN=1: nothing is done)', () => {
      expect(showPlan(planPhase2(fleet), 'plan-phase2.json').steps.length).toBeGreaterThan(0)
    })
    return
  }

  beforeAll(() => {
    confirmPlan(fleet.target, () => planPhase2(fleet), 'plan-phase2.json')
  })
  describe('2.1 Prepare v2 Dashboard', () => {
    it('v2 dashboard builds and its tests pass', (ctx) => {
      if (fleet.target === 'production') {
        const src = process.env.NIXFLEET_SOURCE
        if (!src) {
          ctx.skip(
            'NIXFLEET_SOURCE (your ~/Code/nixfleet checkout) is not set: the build and tests were not run',
          )
          return
        }
        const run = (cmd: string): void => {
          const r = spawnSync('sh', ['-c', cmd], {
            cwd: `${src}/v2`,
            encoding: 'utf8',
            timeout: 20 * 60_000,
          })
          expect(r.status, `${cmd} in ${src}/v2:\n${(r.stderr || r.stdout).slice(-2000)}`).toBe(0)
        }
        run('go build -o ../bin/nixfleet-dashboard ./cmd/nixfleet-dashboard')
        run('go test ./tests/integration/...')
        return
      }
      // Rehearsal: the simulated v2 dashboard's and agent's contract tests, reused while
      // nothing they test changed (as go test caches a pass).
      const r = simulatedContractTests()
      if (r.cached)
        say(
          `2.1: simulated v2 contract tests passed at ${r.cached.passedAt} on these exact sources (${r.cached.key}); not run again (REHEARSAL_TEST_CACHE=0 runs them)`,
        )
      expect(r.status, `simulated v2 contract tests:\n${r.output.slice(-3000)}`).toBe(0)
    })
  })

  // csb1 serves other services behind the same front: their state before anything changes.
  const baseline = new Step('neighbouring services before the deploy', {
    phase: PHASE,
    action: () => neighbourBaseline(fleet),
  })
  const expectNeighboursAnswer = async (when: string, final: StoppedIsFinal): Promise<void> => {
    const lost = await neighboursLost(fleet, baseline.get(), when, '90s', final)
    expect(lost, lost.join('\n')).toEqual([])
  }

  const deploy = new Step('2.3 deploy on csb1', {
    phase: PHASE,
    requires: phase2Ready,
    action: () => deployDashboard(fleet),
  })
  describe('2.3 Deploy v2 Dashboard to csb1', () => {
    beforeAll(async () => {
      if (csb1Skip) return
      await baseline.run()
      await deploy.run()
    }, 25 * 60_000)

    csb1It('docker logs show the dashboard starting', () => {
      expect(deploy.get().startLine).toContain('starting dashboard server')
    })

    csb1It(`https://${new URL(url).host}/login answers 200 and contains "NixFleet"`, async () => {
      deploy.get()
      const c = dashboardClient(fleet.target, url)
      const r = await c.http('GET', '/login')
      await c.close()
      expect(r.status, `GET ${url}/login`).toBe(200)
      expect(r.body).toContain('NixFleet')
    })

    csb1It('/ws without credentials answers 401', async () => {
      deploy.get()
      const c = dashboardClient(fleet.target, url)
      const r = await c.http('GET', '/ws')
      await c.close()
      expect(r.status, `GET ${url}/ws without credentials`).toBe(401)
    })

    csb1It('the neighbouring services still answer after the deploy', async () => {
      // No reboot since the baseline: a neighbour's stopped container will not start by itself.
      await expectNeighboursAnswer('after the deploy', { stoppedIsFinal: true })
    })

    csb1It('the container reports healthy', async () => {
      deploy.get()
      const h = await stack.health()
      expect(h.health, `dashboard container ${h.status}, last healthcheck ${h.lastCheck}`).toBe(
        'healthy',
      )
    })
  })

  // Only after a healthy deploy: a reboot cannot mend a failed one, only hide it.
  const reboot = new Step('2.4 reboot csb1', {
    phase: PHASE,
    dependsOn: [deploy],
    // Once per deployed container: a re-run after success reboots nothing.
    action: () =>
      rebootOnce(
        fleet,
        fleet.get(csb1),
        ledger,
        '2.4',
        `${csb1} rebooted after dashboard container ${deploy.get().container.slice(0, 12)} was deployed`,
      ),
  })
  describe('2.4 Restart csb1 and Verify', () => {
    /** The HTTPS checks judge on their own once the reboot was issued, even if SSH did not come back. */
    const rebootIssued = (): void => reboot.requireActed((e) => e instanceof RebootWaitError)
    beforeAll(() => (csb1Skip ? undefined : reboot.run()), 10 * 60_000)

    csb1It('csb1 rebooted (new boot identity)', () => {
      const r = reboot.get()
      expect(r.after).not.toBe(r.before)
    })

    csb1It(
      'docker ps shows the nixfleet container running again, started by Docker after the boot',
      async () => {
        const r = reboot.get()
        const h = await waitDashboardHealthy(stack, '3m')
        expect(h.status).toBe('running')
        expect(
          await dashboardStartedAt(stack),
          'the container was started before the reboot: it did not come back by itself',
        ).toBeGreaterThanOrEqual(r.clockBefore)
        expect((await stack.nixfleetContainers()).length).toBeGreaterThan(0)
      },
    )

    csb1It('the neighbouring services still answer after the reboot', async () => {
      rebootIssued()
      // A container stopped before the reboot that Docker did not start at boot stays down.
      await expectNeighboursAnswer('after the reboot of csb1', {
        ...(reboot.ok ? { stoppedBefore: reboot.get().clockBefore } : {}),
      })
    })

    csb1It('/login answers after the reboot', async () => {
      rebootIssued()
      const c = dashboardClient(fleet.target, url)
      const status = await poll(
        `${url}/login answers 200 after the reboot`,
        async () => {
          const r = await c.http('GET', '/login').catch((err: unknown) => err as Error)
          if (!(r instanceof Error) && r.status === 200) return r.status
          // A container Docker will not start again cannot answer, however long one waits.
          const down = await dashboardStaysDown(stack)
          if (down) throw new TerminalStateError(down)
          throw r instanceof Error ? r : new Error(`HTTP ${r.status}`)
        },
        { timeout: '2m', interval: '2s' },
      ).finally(() => c.close())
      expect(status).toBe(200)
    })
  })

  const rollout = new Step('2.5 v2 agents', {
    phase: PHASE,
    requires: agentsReady,
    action: () => rolloutV2Agents(fleet, hosts, v2CommitMessage(hosts)),
  })
  /** Why a host's 2.5 rollout did not succeed. */
  const rolloutFailure = (h: string): string =>
    rollout.error?.message ??
    ((o) => (o && !o.ok ? o.error.message : 'no switch recorded'))(rollout.get().switches.get(h))

  describe('2.5 Deploy v2 Agent to Test Hosts', () => {
    // Each switched host's wait starts right after the rollout, all at once (an
    // agent is watched for a few seconds to prove it stays up); each check below
    // still reports only its own host.
    const connectedCheck = (h: string): string =>
      `${h}: agent log shows connected to dashboard, registered`
    const connected = new HostWaits((h) =>
      withContext({ phase: 'phase 2', check: connectedCheck(h) }, () =>
        waitAgentConnected(fleet.get(h), '3m', dashboardDown),
      ),
    )
    const onlineCheck = (h: string): string => `${h}: the dashboard lists ${h} online`
    const online = new HostWaits((h) =>
      withContext({ phase: 'phase 2', check: onlineCheck(h) }, () => waitOnline(h)),
    )
    beforeAll(async () => {
      await rollout.run()
      const switched = hosts.filter((h) => switchedOk(rollout, h))
      connected.start(switched)
      online.start(switched)
    }, 45 * 60_000)

    for (const h of hosts) {
      it(connectedCheck(h), async () => {
        valueOf(rollout.get().switches, h)
        const { lines } = await connected.of(h)
        expect(lines).toHaveLength(2)
      })

      it(onlineCheck(h), async () => {
        valueOf(rollout.get().switches, h)
        expect(await online.of(h)).toContain('online')
      })
    }

    // The pin moved every host's module: a host left on its disabled v1 block must still build.
    const leftOn = disabledHostToBuild(fleet)
    it(`a host left on its disabled v1 block (${leftOn ?? 'none within HOSTS'}) still builds under the v2 pin`, async (ctx) => {
      if (!leftOn)
        return ctx.skip('no NixOS host outside phase 2 is within HOSTS: there is none to build')
      const built = await disabledHostBuilds(fleet, leftOn, rollout.get().commit)
      expect(built).toContain(`${leftOn} builds at nixcfg`)
    })
  })

  let reboots: Map<string, HostOutcome<RebootEvidence>> | undefined
  /** Hosts whose 2.6 wait found a state waiting cannot mend (a crash loop, an unanswered register). */
  const foundFinalIn26 = new Set<string>()
  /**
   * 2.7's wait on a host 2.6 has already judged: one that did not come back
   * from its reboot by the deadline, or whose agent 2.6 found in a state
   * waiting cannot mend. A short look says whether that changed since; a
   * second full wait would only repeat 2.6's.
   */
  const waitIn27 = (h: string): Duration =>
    reboots?.get(h)?.ok === false || foundFinalIn26.has(h) ? '10s' : '1m'
  describe('2.6 Post-Restart Check on Test Hosts', () => {
    const backCheck = (h: string): string =>
      `${h}: new boot, agent running and connected, online again`
    const back = new HostWaits((h) =>
      withContext({ phase: 'phase 2', check: backCheck(h) }, async () => {
        try {
          await waitAgentConnected(fleet.get(h), '3m', dashboardDown)
          return await waitOnline(h)
        } catch (err) {
          if (gaveUpEarly(err)) foundFinalIn26.add(h)
          throw err
        }
      }),
    )
    beforeAll(async () => {
      // Only the hosts whose 2.5 rollout succeeded: the others keep the reason, rebooted or not.
      reboots = await withContext({ phase: PHASE, check: '2.6 reboot test hosts' }, () =>
        perHost(hosts, hosts.length, async (h) => {
          if (!switchedOk(rollout, h))
            throw new NotRunError(
              `not rebooted: its 2.5 rollout did not succeed (${rolloutFailure(h)})`,
            )
          return rebootOnce(
            fleet,
            fleet.get(h),
            ledger,
            '2.6',
            `${h} rebooted after switching to nixcfg ${rollout.get().commit.slice(0, 12)}`,
          )
        }),
      )
      // Every rebooted host's wait at once; each check reports its own host.
      back.start(hosts.filter((h) => reboots?.get(h)?.ok))
    }, 15 * 60_000)

    for (const h of hosts) {
      it(backCheck(h), async () => {
        const r = valueOf(reboots!, h)
        expect(r.after).not.toBe(r.before)
        expect(await back.of(h)).toContain('online')
      })
    }
  })

  describe('2.7 Verification Checklist - Phase 2', () => {
    csb1It('v2 dashboard running on csb1', async () => {
      expect((await waitDashboardHealthy(stack, '1m')).health).toBe('healthy')
      const c = dashboardClient(fleet.target, url)
      try {
        const login = await c.http('GET', '/login')
        expect(login.status).toBe(200)
        expect(login.body).toContain('NixFleet')
        expect(
          (await c.http('GET', '/ws')).status,
          'v2 answers /ws with 401 (v1 had no /ws: 404)',
        ).toBe(401)
      } finally {
        await c.close()
      }
    })

    csb1It('v2 dashboard survives csb1 reboot', async () => {
      // Not rebooted in 2.4: its reason (a refused or failed deploy) is this check's.
      const r = reboot.get()
      expect(r.after).not.toBe(r.before)
      expect(
        await dashboardStartedAt(stack),
        'the dashboard container was not started by Docker after the reboot',
      ).toBeGreaterThanOrEqual(r.clockBefore)
      const h = await stack.health()
      expect(h.health, `dashboard container ${h.status}, last healthcheck ${h.lastCheck}`).toBe(
        'healthy',
      )
    })

    csb1It('Login with password + TOTP works', async () => {
      const password = readSecret('dashboardPassword')
      const secret = readSecret('totpSecret')
      const wrong = dashboardClient(fleet.target, url)
      const ok = dashboardClient(fleet.target, url)
      try {
        // Paired: the same form refuses a code that is not the current one.
        const code = await totpCode(secret)
        const bad = String((Number(code) + 500_000) % 1_000_000).padStart(6, '0')
        const refused = await wrong.submitLogin(password, bad)
        expect(refused.status, `the login form answered HTTP ${refused.status}`).toBe(302)
        expect(refused.location, 'a wrong TOTP code must be refused').not.toBe('/')
        expect(wrong.loggedIn, 'a wrong TOTP code must not give a session').toBe(false)
        await ok.login(password, secret)
        expect(ok.loggedIn).toBe(true)
        expect((await ok.http('GET', '/')).status).toBe(200)
      } finally {
        await wrong.close()
        await ok.close()
      }
    })

    // Each host's waits start together with the other hosts' (and the dashboard's checks);
    // each check below still awaits and reports only its own host.
    const agentCheck = (h: string): string => `${h}: v2 agent connected`
    const agentUp = new HostWaits((h) =>
      withContext({ phase: 'phase 2', check: agentCheck(h) }, async () => {
        await waitAgentConnected(fleet.get(h), waitIn27(h), dashboardDown)
        return waitOnline(h)
      }),
    )
    const survivedCheck = (h: string): string => `${h}: survives reboot`
    const agentBack = new HostWaits((h) =>
      withContext({ phase: 'phase 2', check: survivedCheck(h) }, () =>
        waitAgentConnected(fleet.get(h), waitIn27(h), dashboardDown),
      ),
    )
    beforeAll(() => {
      agentUp.start(hosts.filter((h) => switchedOk(rollout, h)))
      agentBack.start(hosts.filter((h) => reboots?.get(h)?.ok))
    })

    for (const h of hosts) {
      it(agentCheck(h), async () => {
        // Nothing to wait for when the rollout never reached this host.
        if (!switchedOk(rollout, h))
          throw new Error(`${h}: the v2 agent was not rolled out in 2.5: ${rolloutFailure(h)}`)
        expect(await agentUp.of(h)).toContain('online')
      })

      it(survivedCheck(h), async () => {
        if (!reboots) throw new Error(`${h} was not rebooted in 2.6`)
        const r = valueOf(reboots, h)
        expect(r.after).not.toBe(r.before)
        const now = await fleet.get(h).os.bootIdentity(fleet.get(h).host)
        expect(now, `${h} has rebooted again since 2.6`).toBe(r.after)
        await agentBack.of(h)
      })
    }

    it('Dashboard shows both hosts online', async () => {
      const c = await session()
      const listed = await Promise.all(hosts.map((h) => hostListing(c, h)))
      const offline = listed.filter((l) => !l.online).map((l) => l.detail)
      expect(offline, `not online: ${offline.join('; ')}`).toEqual([])
    })

    it('Can send commands to both hosts', async () => {
      const left = budget('Can send commands to both hosts', CHECK_BUDGET_MS)
      const problems = await commandsWork(await session(), fleet, hosts, left)
      expect(problems, problems.join('\n')).toEqual([])
    })
  })
})
