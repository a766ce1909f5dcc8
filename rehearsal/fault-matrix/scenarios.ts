import { PLAN_CHECKLISTS } from '../../helpers/report/plan-checklists.ts'
import type { Expectations } from './expect-run.ts'
import { describePins, type Pins } from './pinned-inventory.ts'

/**
 * The fault matrix: each scenario runs runbook specs on a fresh fleet under
 * named rehearsal faults and says which checks must fail (and with what
 * words), which must still pass; every other check must at least run.
 * Together the scenarios make every checkbox of the plan's checklists fail
 * at least once (`coverage.test.ts` holds that), and the matrix table shows
 * each checkbox against each fault.
 */
export interface Scenario {
  id: string
  faults: string
  why: string
  startAs?: 'phase1-done'
  /**
   * Real nixfleet revisions for this run, when the scenario is a real day
   * rather than a fault: the agents' pin (the inventory's nixfleet_v2_rev)
   * and the dashboard's (dashboard.revision).
   */
  pins?: Pins
  specs: string[]
  expect: Expectations
  timeoutMs: number
  /**
   * Then the operator's next step on the same fleet: the faults mended and
   * the specs run again, which must continue where this run stopped
   * (`rerun-after-mending.ts`).
   */
  thenRerun?: boolean
}

const items = (id: string): string[] => PLAN_CHECKLISTS.find((l) => l.id === id)?.items ?? []
export const PHASE1_ITEMS = items('phase1')

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
  neighboursAfterDeploy: 'the neighbouring services still answer after the deploy',
  neighboursAfterReboot: 'the neighbouring services still answer after the reboot',
  rbDatabase: 'csb1: the v1 database equals its backup (checksum and row counts)',
  rbLogin: 'csb1: the v1 login page answers at https://fleet.barta.cm',
  rbGone: 'csb1: the v2 container is gone',
  rbNeighbours: 'csb1: the neighbouring services still answer',
  scV1Agents: 'All v1 agents disabled',
  scV1Dashboard: 'v1 dashboard stopped',
  scV2Dashboard: 'v2 dashboard running and accessible',
  scV2Agents: 'v2 agents on gpc0 and mba-mbp-work',
  scVisible: 'Both hosts visible in dashboard',
  scCommands: 'Commands work (pull, switch)',
  scReboot: 'All survives reboot',
}
const deployChecks = [T.logs, T.login200, T.ws401, T.healthy]

const loginNoRouter =
  /login to https:\/\/fleet\.barta\.cm failed: the login form answered HTTP 404 \(the dashboard is not serving it\)/
const rolloutRefusedNoRouter =
  /the v2 agent rollout refused, nothing was changed: the v2 dashboard does not answer at wss:\/\/fleet\.barta\.cm\/ws \(\/ws HTTP 404 text\/plain: 404 page not found/
const tokenRefused = (h: string): RegExp =>
  new RegExp(`${h}: the dashboard refuses the agent's token`)
const jobCrashing = /mba-mbp-work: .*com\.nixfleet\.agent (keeps exiting|is loaded but not running)/
const mkforceRefusal =
  /nixcfg: nothing was changed[\s\S]*hsb0: .*hosts\/hsb0\/configuration\.nix:\d+: services\.nixfleet-agent\.enable = lib\.mkForce true; is not a plain true\/false/

// A stopped container loses its router: the front answers Traefik's own 404.
const grafanaLost = (when: string): RegExp =>
  new RegExp(
    `csb1: grafana answered HTTP 200 before the deploy, ${when}: grafana \\(https://grafana\\.barta\\.cm\\): HTTP (?:404|5\\d\\d)[^;]*; the dashboard rollback is specs/rollback-dashboard\\.spec\\.ts`,
  )

// The missing backup is the refusal's certain part: whether v1's /ws already answers 404
// right after the fleet comes up depends on how far its container has started.
const phase2Refused = /phase 2 refused, nothing was changed: .*no verified v1 backup/
const notRunAfterRefusal =
  /2\.4 reboot csb1 failed: not done, nothing was changed: it depends on "2\.3 deploy on csb1", which failed: phase 2 refused/
const rolloutRefused = /the v2 agent rollout refused, nothing was changed/

/** The agents' nixfleet pin on the migration day (nixcfg e2f03f6e's flake.lock). */
const DAY_AGENT_PIN = '3999ab9856de35c21b00de9891ea44912c00e502'
/** The dashboard csb1 built at 13:24 ("v2 dashboard deployed to csb1"), and the one it ran that evening. */
const DAY_DASHBOARD_PIN = '40a6392c56e5d51176692385132e560339e9859f'
const EVENING_DASHBOARD_PIN = 'b860b3afca73335c847c1d9ed4fd793d4e7b966c'
// Before 2dc955d a register is only logged: the dashboard lists nobody.
// From 29f2b4e until de15045 the hub stops after an agent disconnects: agents connect, nobody registers them.
const neverRegistered = (h: string): RegExp =>
  new RegExp(
    `${h}: agent log since its start lacks "registered"; last lines: .*connected to dashboard.*never answered the register: a dashboard whose hub handles no agent message`,
  )
const commandNeverAnswered =
  /gpc0: POST https:\/\/fleet\.barta\.cm\/api\/hosts\/gpc0\/command: no complete answer within 15 s.*\/health still answers 200, so the dashboard is up but handles no command: restart its container/
const neverListed = (h: string): RegExp =>
  new RegExp(`${h} is not listed: the dashboard lists no host at all .*before nixfleet 2dc955d`)
// Before 7377787 the agent names its host with os.Hostname(): on a Mac, the network's name.
const macUnderOtherName = /mba-mbp-work is not listed \(hosts: .*mba-mbp-work\.lan/
// Before e579804 nothing clones the agent's checkout and pull only fetches.
const pullAtDayPin =
  /gpc0: pull ended error \(exit 128\)[^\n]*cannot change to[^\n]*agent built from nixfleet 3999ab9856de35c21b00de9891ea44912c00e502/

// csb1's configuration on the morning opened 80 and 443, not SSH's 2222 (fixed in nixcfg 72476e79).
const csb1LockedOut =
  /csb1: refusing to reboot: in nixcfg [0-9a-f]{12} \(hosts\/csb1\/configuration\.nix, the configuration csb1 boots\) the firewall is on and does not open TCP 2222/

const nobodyLoggedIn =
  /mba-mbp-work: the person step "restart mba-mbp-work \(Apple menu, Restart…\), then log in at its FileVault unlock screen" \(simulated person\) was not seen done by \d\d:\d\d:\d\d UTC \(1 min\): expected mba-mbp-work back over SSH in a new boot/

const notRunAfterUnhealthy =
  /2\.4 reboot csb1 failed: not done, nothing was changed: it depends on "2\.3 deploy on csb1", which failed: .*unhealthy; last healthcheck .*wget/

const PHASE2 = 'specs/phase2-deploy-v2'
const CRITERIA = 'specs/phase2-success-criteria'

export const SCENARIOS: Scenario[] = [
  {
    id: 'phase1-partial',
    faults: 'host-unreachable:hsb1,rebuild-fails:gpc0',
    why: 'one host cut off the network, another whose rebuild fails: only those two fail, with their reasons; mended by the next day, the phase run again continues where it stopped (no new commit, only those two switched, no second backup)',
    specs: ['specs/phase1'],
    timeoutMs: 20 * 60_000,
    thenRerun: true,
    expect: {
      fail: [
        {
          check: 'hsb1: v1 agent stopped',
          message: /hsb1: .*(cannot reach|connect|timed out|unreachable)/i,
        },
        {
          check: 'gpc0: v1 agent stopped',
          message: /gpc0: command failed .*nixos-rebuild[\s\S]*error: builder for/,
        },
      ],
      pass: 'all-others',
    },
  },
  {
    id: 'phase1-refused',
    faults: 'nixcfg-mkforce:hsb0',
    why: 'a nixcfg file the runbook must not edit: nothing changes, every phase 1 checkbox shows the refusal; phase 2 then refuses (v1 still answers, no backup) and reboots nothing; the success criteria see v1 still in place',
    specs: ['specs/phase1', PHASE2, CRITERIA],
    timeoutMs: 20 * 60_000,
    expect: {
      fail: [
        ...PHASE1_ITEMS.map((check) => ({ check, message: mkforceRefusal })),
        // Phase 2 refused: nothing on csb1 changes, no host is rebooted, and each check says why at once.
        ...deployChecks.map((check) => ({ check, message: phase2Refused })),
        { check: T.rebooted, message: notRunAfterRefusal },
        { check: T.survives, message: notRunAfterRefusal },
        { check: T.afterReboot('gpc0'), message: rolloutRefused },
        { check: T.afterReboot('mba-mbp-work'), message: rolloutRefused },
        { check: T.connected('gpc0'), message: rolloutRefused },
        { check: T.hostSurvives('mba-mbp-work'), message: rolloutRefused },
        {
          check: T.scV1Agents,
          message: /hosts still running \(or not showing\) a v1 agent: .*hsb0: v1 agent/,
        },
        { check: T.scV1Dashboard, message: /\/ws: v1 still answers \(HTTP 404 application\/json/ },
        { check: T.scV2Dashboard, message: /\/ws: v2 answers 401 \(v1 has no \/ws: 404\)/ },
        { check: T.scV2Agents, message: /gpc0: running .*last start line/ },
      ],
      pass: [],
    },
  },
  {
    id: 'phase2-agents',
    faults:
      'wrong-agent-token:gpc0,unit-no-return:mba-mbp-work,neighbour-breaks:csb1,rebuild-fails:hsb0',
    why: 'gpc0 is refused for its token; mba-mbp-work’s agent does not come back after its reboot; the deploy takes grafana down next to the dashboard; hsb0, left on its disabled v1 block, does not build under the v2 pin',
    startAs: 'phase1-done',
    specs: [PHASE2, CRITERIA],
    timeoutMs: 25 * 60_000,
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
        { check: T.scV2Agents, message: /gpc0|mba-mbp-work/ },
        { check: T.neighboursAfterDeploy, message: grafanaLost('after the deploy') },
        // Stopped, not crashing: the check says so at once instead of waiting out its grace.
        { check: T.neighboursAfterDeploy, message: /its container \S*grafana\S* is exited\)/ },
        { check: T.neighboursAfterReboot, message: grafanaLost('after the reboot of csb1') },
        // Stopped before the reboot, and unless-stopped: Docker did not start it at boot, no grace.
        {
          check: T.neighboursAfterReboot,
          message:
            /its container \S*grafana\S* is exited, stopped since before the reboot under restart policy "unless-stopped"/,
        },
        { check: T.scVisible, message: /not online: .*gpc0 is not listed/ },
        { check: T.scCommands, message: /gpc0\/command pull: HTTP 409/ },
        {
          check: 'a host left on its disabled v1 block (hsb0) still builds under the v2 pin',
          message:
            /hsb0: left on its disabled v1 block, it does not build at nixcfg [0-9a-f]{12} \(the v2 pin\): nixos-rebuild build exited 1: .*error: builder for/,
        },
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
        T.scV1Agents,
        T.scV1Dashboard,
        T.scV2Dashboard,
      ],
    },
  },
  {
    id: 'phase2-dashboard-then-rollback',
    faults: 'dashboard-never-healthy:csb1',
    why: 'the pinned v2 revision builds an image without wget, so its healthcheck cannot pass and Traefik never routes to the dashboard: the agents are not rolled out, nothing logs in; then the dashboard rollback restores v1 with its data',
    startAs: 'phase1-done',
    specs: [PHASE2, 'specs/rollback-dashboard'],
    timeoutMs: 25 * 60_000,
    expect: {
      fail: [
        ...deployChecks.map((check) => ({
          check,
          message: /unhealthy; last healthcheck .*wget/,
        })),
        { check: T.backAfterBoot, message: /unhealthy; last healthcheck .*wget/ },
        { check: T.running, message: /unhealthy; last healthcheck .*wget/ },
        { check: T.survives, message: /last healthcheck .*wget/ },
        // No reboot after a failed deploy: 2.4 says why, at once.
        { check: T.rebooted, message: notRunAfterUnhealthy },
        { check: T.loginAfterBoot, message: notRunAfterUnhealthy },
        // An unhealthy container has no router: /ws is Traefik's 404, so the rollout is refused.
        { check: T.listed('gpc0'), message: rolloutRefusedNoRouter },
        { check: T.listed('mba-mbp-work'), message: rolloutRefusedNoRouter },
        { check: T.afterReboot('gpc0'), message: rolloutRefusedNoRouter },
        { check: T.afterReboot('mba-mbp-work'), message: rolloutRefusedNoRouter },
        { check: T.login, message: /the login form answered HTTP 404/ },
        { check: T.connected('gpc0'), message: rolloutRefusedNoRouter },
        { check: T.connected('mba-mbp-work'), message: rolloutRefusedNoRouter },
        { check: T.bothOnline, message: loginNoRouter },
        { check: T.commands, message: loginNoRouter },
        { check: T.agentLog('gpc0'), message: rolloutRefusedNoRouter },
        { check: T.agentLog('mba-mbp-work'), message: rolloutRefusedNoRouter },
        { check: T.hostSurvives('gpc0'), message: rolloutRefusedNoRouter },
        { check: T.hostSurvives('mba-mbp-work'), message: rolloutRefusedNoRouter },
      ],
      pass: [
        T.build,
        // The rollback after the failed deploy: v1 back with the backup's data.
        T.rbDatabase,
        T.rbLogin,
        T.rbGone,
        T.rbNeighbours,
      ],
    },
  },
  {
    id: 'phase2-env-missing',
    faults: 'required-variable-missing:csb1',
    why: "the prepared env file lacks NIXFLEET_SESSION_SECRET: the runbook keeps an operator's file, so the deploy must stop before touching anything",
    startAs: 'phase1-done',
    specs: [PHASE2],
    timeoutMs: 25 * 60_000,
    expect: {
      fail: [
        ...deployChecks.map((check) => ({
          check,
          message:
            /csb1: ~\/secrets\/nixfleet\.env lacks NIXFLEET_SESSION_SECRET .*nothing was deployed/,
        })),
        // The deploy never happened: csb1 is not rebooted for it.
        {
          check: T.rebooted,
          message:
            /not done, nothing was changed: it depends on "2\.3 deploy on csb1", which failed: .*lacks NIXFLEET_SESSION_SECRET/,
        },
      ],
      pass: [T.build],
    },
  },
  {
    id: 'phase2-no-restart',
    faults: 'no-restart-policy:csb1',
    why: 'the v2 container ends up without a restart policy: the dashboard does not come back after the reboot',
    startAs: 'phase1-done',
    specs: [PHASE2, CRITERIA],
    timeoutMs: 25 * 60_000,
    expect: {
      fail: [
        { check: T.backAfterBoot, message: /csb1: the dashboard container exited/ },
        {
          check: T.loginAfterBoot,
          message:
            /gave up early: csb1: the dashboard container exited \(exit \d+\) under restart policy "no": Docker will not start it again/,
        },
        { check: T.survives, message: /not started by Docker after the reboot/ },
        { check: T.scReboot, message: /csb1: dashboard: container restart policy "no"/ },
      ],
      pass: [T.build, ...deployChecks, T.rebooted, T.scV1Agents],
    },
  },
  {
    id: 'phase2-mac-nobody-logs-in',
    faults: 'person-never-logs-in:mba-mbp-work',
    why: "the Mac's restart is a person's step: the simulated person restarts it but never logs in, so it waits at the FileVault screen without SSH; 2.6 fails at the step's deadline saying what it waited for",
    startAs: 'phase1-done',
    specs: [PHASE2],
    timeoutMs: 25 * 60_000,
    expect: {
      fail: [
        { check: T.afterReboot('mba-mbp-work'), message: nobodyLoggedIn },
        { check: T.hostSurvives('mba-mbp-work'), message: nobodyLoggedIn },
        // Still at the unlock screen: no SSH, no agent, the dashboard sees the Mac offline.
        {
          check: T.connected('mba-mbp-work'),
          message: /mba-mbp-work: .*cannot reach mba-mbp-work\.local:22: .*Connection refused/,
        },
        { check: T.bothOnline, message: /mba-mbp-work listed as offline/ },
        { check: T.commands, message: /mba-mbp-work\/command pull: HTTP 409 Host offline/ },
      ],
      pass: [
        T.build,
        ...deployChecks,
        T.rebooted,
        T.backAfterBoot,
        T.loginAfterBoot,
        T.agentLog('gpc0'),
        T.agentLog('mba-mbp-work'),
        T.listed('gpc0'),
        T.listed('mba-mbp-work'),
        T.afterReboot('gpc0'),
        T.running,
        T.survives,
        T.login,
        T.connected('gpc0'),
        T.hostSurvives('gpc0'),
      ],
    },
  },
  {
    id: 'day-agents-3999ab9',
    faults: 'morning-firewall:csb1',
    pins: { agents: DAY_AGENT_PIN, dashboard: DAY_DASHBOARD_PIN },
    why: "the migration day at 13:20: the dashboard csb1 built then (nixfleet 40a6392), the agents pinned where nixcfg e2f03f6e pinned them (nixfleet 3999ab9), csb1 on the morning's firewall (nixcfg 9021575c); the dashboard stores no host, the Mac's launcher waits a minute for a /health that does not exist before it starts the agent, pull only fetches into a checkout nothing cloned, and the runbook refuses the reboot that locked csb1 out",
    startAs: 'phase1-done',
    specs: [PHASE2, CRITERIA],
    timeoutMs: 25 * 60_000,
    expect: {
      fail: [
        // csb1's reboot is refused (the morning's firewall), so everything after it says so.
        { check: T.rebooted, message: csb1LockedOut },
        { check: T.backAfterBoot, message: csb1LockedOut },
        { check: T.loginAfterBoot, message: csb1LockedOut },
        { check: T.survives, message: csb1LockedOut },
        { check: T.neighboursAfterReboot, message: csb1LockedOut },
        {
          check: T.scReboot,
          message:
            /csb1: SSH: in nixcfg [0-9a-f]{12} \(hosts\/csb1\/configuration\.nix, the configuration csb1 boots\) the firewall is on and does not open TCP 2222/,
        },
        // 40a6392 stores no host: nobody is ever listed.
        { check: T.listed('gpc0'), message: neverListed('gpc0') },
        { check: T.listed('mba-mbp-work'), message: neverListed('mba-mbp-work') },
        { check: T.afterReboot('gpc0'), message: neverListed('gpc0') },
        { check: T.connected('gpc0'), message: neverListed('gpc0') },
        { check: T.connected('mba-mbp-work'), message: neverListed('mba-mbp-work') },
        { check: T.bothOnline, message: neverListed('gpc0') },
        { check: T.scVisible, message: neverListed('gpc0') },
        // The Mac's launcher (3999ab9) waits 60 s for a /health the dashboard (before 6933b5f)
        // lacks, then starts the agent anyway: it registers a minute late and is not listed.
        { check: T.afterReboot('mba-mbp-work'), message: neverListed('mba-mbp-work') },
        // Pull at 3999ab9 only fetches into a checkout nothing cloned.
        { check: T.commands, message: pullAtDayPin },
        { check: T.scCommands, message: pullAtDayPin },
      ],
      pass: [
        T.build,
        ...deployChecks,
        T.neighboursAfterDeploy,
        T.agentLog('gpc0'),
        // A dashboard serving /login with no /health is up: the Mac's agent connects after its launcher's minute.
        T.agentLog('mba-mbp-work'),
        T.running,
        T.login,
        T.hostSurvives('gpc0'),
        T.hostSurvives('mba-mbp-work'),
        T.scV1Agents,
        T.scV1Dashboard,
        T.scV2Dashboard,
        T.scV2Agents,
      ],
    },
  },
  {
    id: 'evening-b860b3a',
    faults: '',
    pins: { agents: DAY_AGENT_PIN, dashboard: EVENING_DASHBOARD_PIN },
    why: "the migration day's evening: the dashboard at nixfleet b860b3a (hosts stored, /health, offline marking, and the hub deadlock that comes with it) with the agents still at 3999ab9; after the first agent disconnect the dashboard looks healthy but handles nothing: hosts go stale and commands are never delivered",
    startAs: 'phase1-done',
    specs: [PHASE2, CRITERIA],
    timeoutMs: 25 * 60_000,
    expect: {
      fail: [
        // Still at 3999ab9: the Mac registers under its network name.
        { check: T.listed('mba-mbp-work'), message: macUnderOtherName },
        // gpc0's reboot (2.6) is the first disconnect: from then on the hub handles nothing.
        { check: T.afterReboot('gpc0'), message: neverRegistered('gpc0') },
        { check: T.afterReboot('mba-mbp-work'), message: neverRegistered('mba-mbp-work') },
        { check: T.connected('gpc0'), message: neverRegistered('gpc0') },
        { check: T.hostSurvives('gpc0'), message: neverRegistered('gpc0') },
        { check: T.connected('mba-mbp-work'), message: neverRegistered('mba-mbp-work') },
        { check: T.hostSurvives('mba-mbp-work'), message: neverRegistered('mba-mbp-work') },
        { check: T.scV2Agents, message: neverRegistered('gpc0') },
        { check: T.bothOnline, message: /gpc0 listed as offline/ },
        { check: T.scVisible, message: /gpc0 listed as offline/ },
        { check: T.commands, message: commandNeverAnswered },
        { check: T.scCommands, message: commandNeverAnswered },
      ],
      pass: [
        T.build,
        ...deployChecks,
        T.rebooted,
        T.backAfterBoot,
        T.neighboursAfterReboot,
        T.loginAfterBoot,
        T.agentLog('gpc0'),
        T.listed('gpc0'),
        T.agentLog('mba-mbp-work'),
        T.running,
        T.survives,
        T.login,
        T.scV1Agents,
        T.scV1Dashboard,
        T.scV2Dashboard,
        T.scReboot,
      ],
    },
  },
]

/** What a scenario sets up, for titles and the matrix table: its faults and any real revision it pins. */
export function scenarioSetup(s: Pick<Scenario, 'faults' | 'pins'>): string {
  const parts = [s.faults, s.pins ? describePins(s.pins) : ''].filter(Boolean)
  return parts.join('; ') || 'no fault'
}

/** Every checkbox of the plan's checklists with the scenarios whose fault must make it fail. */
export function checkboxCoverage(): { checklist: string; item: string; scenarios: string[] }[] {
  return PLAN_CHECKLISTS.flatMap((l) =>
    l.items.map((item) => ({
      checklist: l.id,
      item,
      scenarios: SCENARIOS.filter((s) => s.expect.fail.some((f) => f.check === item)).map(
        (s) => s.id,
      ),
    })),
  )
}

/**
 * The scenarios a matrix run runs: all of them, or those named in
 * SCENARIOS=id[,id…] (for iterating on one fault); an unknown id is refused
 * with the known ones, before any fleet starts.
 */
export function selectScenarios(text: string | undefined, all: Scenario[] = SCENARIOS): Scenario[] {
  const ids = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (!ids.length) return all
  const unknown = ids.filter((id) => !all.some((s) => s.id === id))
  if (unknown.length)
    throw new Error(
      `SCENARIOS: unknown scenario ${unknown.join(', ')} (known: ${all.map((s) => s.id).join(', ')})`,
    )
  return all.filter((s) => ids.includes(s.id))
}
