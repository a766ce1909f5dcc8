import { missingV2Variables } from '../checks/dashboard-env.ts'
import { requireSshAfterReboot } from '../checks/ssh-after-reboot.ts'
import type { Fleet, FleetHost } from '../fleet/fleet.ts'
import { HostError, SudoNeedsPasswordError } from '../hosts/errors.ts'
import { hostsForPhase } from '../inventory/load-inventory.ts'
import { hostScope, inScope } from '../config/scope.ts'
import { PhasePlan } from '../plan/phase-plan.ts'
import { HEARTBEAT_MS } from '../dashboard/commands.ts'
import { planRemoveV1Only, planToV2 } from '../nixcfg/edit-host-file.ts'
import { say } from '../output/say.ts'
import type { HostOutcome } from '../flow/per-host.ts'
import { sh } from '../shell/quote.ts'
import { DashboardStack, NoContainerError } from '../steps/dashboard-stack.ts'
import type { SwitchResult } from '../steps/pull-and-switch.ts'
import {
  applyNixcfgChange,
  describeNixcfgChange,
  type NixcfgChange,
} from '../steps/nixcfg-change.ts'
import { doOnce, type StepLedger } from '../flow/step-ledger.ts'
import type { Duration } from '../time/duration.ts'
import { poll, TerminalStateError } from '../wait/poll.ts'
import { personStep } from '../flow/person-step.ts'
import type { Host } from '../hosts/host.ts'

/** The v2 agent settings the plan gives (§2.5) and the module's defaults at the migration. */
/** The v2 block's settings; the interval is the heartbeat "online" is judged by. */
export const V2_AGENT = { interval: HEARTBEAT_MS / 1000, logLevel: 'info' } as const

/** The phase 2 test hosts: phase-2 hosts other than the dashboard's (gpc0, mba-mbp-work), within HOSTS. */
export function testHosts(fleet: Fleet): string[] {
  return hostsForPhase(fleet.inventory, 2, hostScope(fleet.inventory))
    .map((h) => h.name)
    .filter((n) => n !== fleet.inventory.dashboard.host)
}

export function dashboardStack(fleet: Fleet): DashboardStack {
  return new DashboardStack(fleet.get(fleet.inventory.dashboard.host).host, fleet.inventory)
}

/** Waits for Docker to call the dashboard container healthy; a container that exits ends the wait. */
export async function waitDashboardHealthy(
  stack: DashboardStack,
  timeout: Duration,
): Promise<{ id: string; status: string; health: string }> {
  return poll(
    `${stack.host.name}: dashboard container healthy`,
    async () => {
      const h = await stack.health().catch((err: unknown) => {
        // Nothing to wait for: no container will appear by itself.
        if (err instanceof NoContainerError) throw new TerminalStateError(err.message)
        throw err
      })
      if (h.health === 'healthy' && h.status === 'running') return h
      if (h.status === 'exited' || h.status === 'dead')
        throw new TerminalStateError(`${stack.host.name}: the dashboard container ${h.status}`)
      // Docker says unhealthy only after the healthcheck failed its retries in a row.
      if (h.health === 'unhealthy')
        throw new TerminalStateError(
          `${stack.host.name}: Docker reports the dashboard container unhealthy; last healthcheck ${h.lastCheck}`,
        )
      throw new HostError(
        stack.host.name,
        `dashboard container ${h.status}, health ${h.health}${h.lastCheck ? ` (last check ${h.lastCheck})` : ''}`,
      )
    },
    { timeout, interval: '3s' },
  )
}

/**
 * Before anything on csb1 changes: the env file the v2 service reads must
 * hold every variable v2 requires, or v2 would stop at start with "failed to
 * load configuration" after v1 is already gone.
 */
export async function checkDashboardEnv(fleet: Fleet): Promise<void> {
  const { host } = fleet.get(fleet.inventory.dashboard.host)
  const file = fleet.inventory.dashboard.env_file
  const missing = await missingV2Variables(host, file)
  if (missing.length)
    throw new HostError(
      host.name,
      `${file} lacks ${missing.join(', ')} (absent or empty): v2 would stop with "failed to load configuration"; nothing was deployed`,
    )
}

export const START_LINE = 'starting dashboard server'

/** Plan §2.3: git pull, docker compose build, docker compose up -d, logs checked, then healthy. */
export async function deployDashboard(
  fleet: Fleet,
): Promise<{ startLine: string; pull: string; container: string }> {
  await checkDashboardEnv(fleet)
  const stack = dashboardStack(fleet)
  const svc = fleet.inventory.dashboard.service
  const [pullCmd, build, up] = DEPLOY_COMMANDS
  const pull = await stack.host.succeed(stack.inDir(`${pullCmd} 2>&1`), { timeout: '5m' })
  say(`${stack.host.name}: git pull: ${pull.trim().split('\n')[0] ?? ''}`)
  await stack.host.succeed(stack.inDir(`${build} 2>&1`), { timeout: '15m' })
  await stack.host.succeed(stack.inDir(`${up} 2>&1`), { timeout: '5m' })
  const startLine = await poll(
    `${stack.host.name}: docker logs show "${START_LINE}"`,
    async () => {
      const logs = await stack.compose(sh`logs --no-color ${svc}`, '1m')
      const line = logs.split('\n').find((l) => l.includes(START_LINE))
      if (line) return line.trim()
      throw new HostError(
        stack.host.name,
        `no "${START_LINE}" yet; last lines: ${logs.trim().split('\n').slice(-3).join(' | ') || '(none)'}`,
      )
    },
    { timeout: '3m', interval: '2s' },
  )
  const { id } = await waitDashboardHealthy(stack, '2m')
  return { startLine, pull, container: id }
}

export interface RebootEvidence {
  host: string
  before: string
  after: string
  /** The host's own clock just before the reboot (epoch seconds). */
  clockBefore: number
  tookMs: number
  /** What showed, before the reboot, that SSH gets back in afterwards. */
  sshBack?: string
  /** Who restarted the host: the runbook over SSH, or a person asked to (inventory `reboot`). */
  by?: 'runbook' | 'operator' | 'simulated person'
  /** Set when this reboot was proven by an earlier run and not repeated. */
  earlier?: { at: string; runId: string }
}

/** What a person is asked to do when a host's restart is theirs (inventory `reboot: person`). */
export function restartInstruction(fh: FleetHost): string {
  return fh.spec.os === 'macos'
    ? `restart ${fh.spec.name} (Apple menu, Restart…), then log in at its FileVault unlock screen`
    : `restart ${fh.spec.name}, then unlock it if it asks for a passphrase at boot`
}

/**
 * A real reboot, proven by a new boot identity; only after the configuration
 * the host boots is seen to let SSH back in. The runbook reboots over SSH,
 * or, for a host whose restart is a person's (inventory `reboot: person`:
 * a Mac's FileVault screen waits for someone to log in), asks for it and
 * waits for the new boot.
 */
export async function rebootHost(
  fleet: Fleet,
  fh: FleetHost,
  timeout: Duration = '6m',
): Promise<RebootEvidence> {
  const name = fh.spec.name
  const bySsh = fh.spec.reboot !== 'person'
  if (bySsh && /\bsudo\b/.test(fh.os.rebootCommand) && fh.spec.sudo === 'password')
    throw new SudoNeedsPasswordError(name, `the reboot (${fh.os.rebootCommand})`)
  const sshBack = await requireSshAfterReboot(fleet, fh)
  say(`${name}: ${sshBack}`)
  const clockBefore = Number((await fh.host.succeed('date +%s', { timeout: '30s' })).trim())
  const bootIdentity = (h: Host): Promise<string> => fh.os.bootIdentity(h)
  if (!bySsh) {
    const before = await bootIdentity(fh.host)
    const done = await personStep(fleet.target, {
      host: name,
      id: 'restart-and-log-in',
      instruction: restartInstruction(fh),
      expects: `${name} back over SSH in a new boot (boot identity other than ${before})`,
      observe: (ms) => fh.host.newBoot(before, bootIdentity, ms),
    })
    say(`${name}: restarted by the ${done.by} (${before} -> ${done.value})`)
    return {
      host: name,
      before,
      after: done.value,
      clockBefore,
      tookMs: done.tookMs,
      sshBack,
      by: done.by,
    }
  }
  const r = await fh.host.reboot({ command: fh.os.rebootCommand, bootIdentity, timeout })
  say(`${name}: rebooted (${r.before} -> ${r.after})`)
  return {
    host: name,
    before: r.before,
    after: r.after,
    clockBefore,
    tookMs: r.tookMs,
    sshBack,
    by: 'runbook',
  }
}

/**
 * A reboot that proves something (the deploy, or an agent's rollout, comes
 * back by itself), done once: a re-run finds it in the ledger under `key`
 * and, while the host is still in the boot that reboot produced, does not
 * reboot again (STEPS=<step> forces it).
 */
export async function rebootOnce(
  fleet: Fleet,
  fh: FleetHost,
  ledger: StepLedger,
  step: '2.4' | '2.6',
  key: string,
): Promise<RebootEvidence> {
  const r = await doOnce<RebootEvidence>(ledger, {
    step,
    key,
    stillHolds: async (e) => (await fh.os.bootIdentity(fh.host)) === e.after,
    action: () => rebootHost(fleet, fh),
  })
  return r.earlier ? { ...r.value, earlier: r.earlier } : r.value
}

/** When Docker last started the dashboard container, in epoch seconds (host clock). */
export async function dashboardStartedAt(stack: DashboardStack): Promise<number> {
  const { id } = await stack.health()
  const out = await stack.host.succeed(
    sh`date -d "$(docker inspect -f '{{.State.StartedAt}}' ${id})" +%s`,
    { timeout: '30s' },
  )
  return Number(out.trim())
}

export interface AgentRollout {
  commit: string
  note: string
  switches: Map<string, HostOutcome<SwitchResult>>
}

/** Plan §2.5 (and phase 3) as one nixcfg change: v2 blocks, the v2 nixfleet pin, each host switched. */
export function v2Change(fleet: Fleet, hosts: string[], message: string): NixcfgChange {
  const inv = fleet.inventory
  return {
    hosts,
    edit: (file) => planToV2(file, { url: inv.dashboard.ws_url, ...V2_AGENT }),
    // The pin moves every host's module: the hosts that stay on their disabled
    // v1 block lose the options v2 does not declare (not switched now).
    alsoEdit: {
      hosts: inv.hosts.map((h) => h.name).filter((h) => !hosts.includes(h)),
      edit: (file) => planRemoveV1Only(file),
    },
    pin: { input: inv.nixcfg.nixfleet_input, rev: inv.nixcfg.nixfleet_v2_rev },
    message,
    isDone: async (fh) => (await fh.os.agentState(fh.host)).running,
  }
}

/**
 * Plan §2.5 (and phase 3 for other hosts): in nixcfg, each host's agent
 * block becomes a v2 block and flake.lock pins the v2 nixfleet release;
 * every file is judged before anything is written; one commit, one push;
 * each host pulls and switches, in parallel.
 */
export async function rolloutV2Agents(
  fleet: Fleet,
  hosts: string[],
  message: string,
): Promise<AgentRollout> {
  return applyNixcfgChange(fleet, v2Change(fleet, hosts, message))
}

/** Plan §2.3's commands on csb1, in order, as the deploy runs them in the dashboard's directory. */
export const DEPLOY_COMMANDS = ['git pull', 'docker compose build', 'docker compose up -d'] as const

/** What phase 2 will do, from the same changes and commands its run uses. */
export function planPhase2(fleet: Fleet): PhasePlan {
  const inv = fleet.inventory
  const plan = new PhasePlan('Phase 2: Deploy v2')
  const csb1 = inv.dashboard.host
  const hosts = testHosts(fleet)
  plan.note(
    csb1,
    `prerequisites: the v1 dashboard stopped and a verified backup in ${inv.dashboard.compose_dir}; ${inv.dashboard.env_file} holds every variable v2 requires (names read on ${csb1}, values never leave it)`,
  )
  if (inScope(inv, csb1)) {
    const fh = fleet.get(csb1)
    const stack = new DashboardStack(fh.host, inv)
    for (const c of DEPLOY_COMMANDS) plan.command(csb1, stack.inDir(c))
    plan.command(
      csb1,
      `${fh.os.rebootCommand}   # only if the firewall csb1 boots opens its SSH port; once per deployed container (STEPS=2.4 repeats it)`,
    )
  } else plan.note(csb1, 'not in HOSTS: the dashboard is not deployed or rebooted')
  plan.note(
    'dashboard',
    `prerequisite for the agents: ${inv.dashboard.ws_url} answers (401 without credentials)`,
  )
  describeNixcfgChange(fleet, v2Change(fleet, hosts, v2CommitMessage(hosts)), plan)
  for (const h of hosts) {
    const fh = fleet.get(h)
    if (fh.spec.reboot === 'person')
      plan.note(
        h,
        `PERSON STEP: ${restartInstruction(fh)}; the run waits for the new boot over SSH (once per rolled-out commit; STEPS=2.6 asks again)`,
      )
    else
      plan.command(
        h,
        `${fh.os.rebootCommand}   # ${fh.os.flakeOutput(fh.spec).kind === 'nixos' ? 'only if the firewall it boots opens its SSH port; ' : ''}once per rolled-out commit (STEPS=2.6 repeats it)`,
      )
  }
  plan.request(
    `log in with password + TOTP at ${inv.dashboard.url}/login (and once with a wrong code)`,
  )
  for (const h of hosts) plan.request(`send pull, then switch, to ${h} through the dashboard's API`)
  return plan
}

export function planSuccessCriteria(fleet: Fleet): PhasePlan {
  const plan = new PhasePlan('Success Criteria (read-only status check)')
  plan.note('dashboard', 'reads every host, the dashboard and csb1; changes nothing on any host')
  for (const h of testHosts(fleet))
    plan.request(
      `send pull, then switch, to ${h} through the dashboard's API (the criteria require it)`,
    )
  return plan
}

export function planPhase3(fleet: Fleet, hosts: string[]): PhasePlan {
  const plan = new PhasePlan('Phase 3: Later Expansion')
  describeNixcfgChange(fleet, v2Change(fleet, hosts, v2CommitMessage(hosts)), plan)
  return plan
}

export function v2CommitMessage(hosts: string[]): string {
  const list =
    hosts.length > 1 ? `${hosts.slice(0, -1).join(', ')} and ${hosts.at(-1)}` : (hosts[0] ?? '')
  return `feat: deploy nixfleet v2 agent to ${list}`
}
