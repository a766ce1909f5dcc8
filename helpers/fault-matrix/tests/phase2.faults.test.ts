import { describe, expect, it } from 'vitest'
import { judgeRun, type Expectations } from '../expect-run.ts'
import { runRunbook } from '../run-runbook.ts'

/**
 * Plan phase 2 under the faults its issue names, each run on a fresh fleet
 * brought to "phase 1 done" by the phase 1 runbook. Two faults share a run
 * when the checks they break are disjoint. Each scenario lists the checks
 * that must fail and why, and the checks that must still pass; every other
 * check must at least have run.
 */
const T = {
  build: 'v2 dashboard builds and its tests pass',
  logs: 'docker logs show the dashboard starting',
  login200: 'https://fleet.barta.cm/login answers 200 and contains "NixFleet"',
  ws401: '/ws without credentials answers 401',
  healthy: 'the container reports healthy',
  rebooted: 'csb1 rebooted (new boot identity)',
  backAfterBoot:
    'docker ps shows the nixfleet container running again, started by Docker after the boot',
  loginAfterBoot: '/login answers after the reboot',
  agentLog: (h: string) => `${h}: agent log shows connected to dashboard, registered`,
  listed: (h: string) => `${h}: the dashboard lists ${h} online`,
  afterReboot: (h: string) => `${h}: new boot, agent running and connected, online again`,
  running: 'v2 dashboard running on csb1',
  survives: 'v2 dashboard survives csb1 reboot',
  login: 'Login with password + TOTP works',
  connected: (h: string) => `${h}: v2 agent connected`,
  hostSurvives: (h: string) => `${h}: survives reboot`,
  bothOnline: 'Dashboard shows both hosts online',
  commands: 'Can send commands to both hosts',
}
const deployChecks = [T.logs, T.login200, T.ws401, T.healthy]

interface Scenario {
  faults: string
  why: string
  expect: Expectations
}

const loginRefused = /login to https:\/\/fleet\.barta\.cm refused/
const tokenRefused = (h: string): RegExp =>
  new RegExp(`${h}: the dashboard refuses the agent's token`)
const jobCrashing = /mba-mbp-work: .*com\.nixfleet\.agent (keeps exiting|is loaded but not running)/

const SCENARIOS: Scenario[] = [
  {
    faults: 'wrong-agent-token:gpc0,unit-no-return:mba-mbp-work',
    why: 'gpc0 is refused for its token; mba-mbp-work’s agent does not come back after its reboot',
    expect: {
      fail: [
        { check: T.agentLog('gpc0'), message: tokenRefused('gpc0') },
        { check: T.listed('gpc0'), message: /gpc0 is not listed/ },
        { check: T.afterReboot('gpc0'), message: tokenRefused('gpc0') },
        { check: T.connected('gpc0'), message: tokenRefused('gpc0') },
        { check: T.hostSurvives('gpc0'), message: tokenRefused('gpc0') },
        { check: T.afterReboot('mba-mbp-work'), message: jobCrashing },
        { check: T.connected('mba-mbp-work'), message: jobCrashing },
        { check: T.hostSurvives('mba-mbp-work'), message: jobCrashing },
        { check: T.bothOnline, message: /gpc0 is not listed/ },
        { check: T.commands, message: /gpc0\/command pull: HTTP 409/ },
      ],
      pass: [
        T.build,
        ...deployChecks,
        T.rebooted,
        T.backAfterBoot,
        T.loginAfterBoot,
        T.agentLog('mba-mbp-work'),
        T.listed('mba-mbp-work'),
        T.running,
        T.survives,
        T.login,
      ],
    },
  },
  {
    faults: 'dashboard-never-healthy:csb1,totp-mismatch:csb1',
    why: 'the pulled compose file has a healthcheck that cannot pass; the dashboard expects another TOTP secret',
    expect: {
      fail: [
        ...deployChecks.map((check) => ({
          check,
          message: /unhealthy; last healthcheck .*curl/,
        })),
        { check: T.backAfterBoot, message: /unhealthy; last healthcheck .*curl/ },
        { check: T.running, message: /unhealthy; last healthcheck .*curl/ },
        { check: T.survives, message: /last healthcheck .*curl/ },
        { check: T.listed('gpc0'), message: loginRefused },
        { check: T.listed('mba-mbp-work'), message: loginRefused },
        { check: T.afterReboot('gpc0'), message: loginRefused },
        { check: T.afterReboot('mba-mbp-work'), message: loginRefused },
        { check: T.login, message: loginRefused },
        { check: T.connected('gpc0'), message: loginRefused },
        { check: T.connected('mba-mbp-work'), message: loginRefused },
        { check: T.bothOnline, message: loginRefused },
        { check: T.commands, message: loginRefused },
      ],
      pass: [
        T.build,
        T.rebooted,
        T.loginAfterBoot,
        T.agentLog('gpc0'),
        T.agentLog('mba-mbp-work'),
        T.hostSurvives('gpc0'),
        T.hostSurvives('mba-mbp-work'),
      ],
    },
  },
  {
    faults: 'required-variable-missing:csb1',
    why: 'the env file lacks NIXFLEET_SESSION_SECRET: the deploy must stop before touching anything',
    expect: {
      fail: deployChecks.map((check) => ({
        check,
        message:
          /csb1: ~\/secrets\/nixfleet\.env lacks NIXFLEET_SESSION_SECRET .*nothing was deployed/,
      })),
      pass: [T.build, T.rebooted],
    },
  },
  {
    faults: 'no-restart-policy:csb1',
    why: 'the pulled compose file has no restart policy: the dashboard does not come back after the reboot',
    expect: {
      fail: [
        { check: T.backAfterBoot, message: /csb1: the dashboard container exited/ },
        { check: T.survives, message: /not started by Docker after the reboot/ },
      ],
      pass: [T.build, ...deployChecks, T.rebooted],
    },
  },
]

describe('phase 2 under faults', () => {
  for (const s of SCENARIOS) {
    it(`${s.faults}: ${s.why}`, async () => {
      const run = await runRunbook({
        specs: ['specs/phase2-deploy-v2'],
        env: { REHEARSAL_FAULTS: s.faults, REHEARSAL_START_AS: 'phase1-done' },
        timeoutMs: 25 * 60_000,
      })
      const problems = judgeRun(run, s.expect)
      expect(
        problems,
        `${problems.join('\n')}\n--- runbook output (tail) ---\n${run.output.slice(-3000)}`,
      ).toEqual([])
    })
  }
})
