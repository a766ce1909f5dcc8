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
import { healthcheckCannotRun } from '../steps/healthcheck.ts'
import { ensureV2EnvFile, envFileCommand } from '../steps/dashboard-env-file.ts'
import { checkOutDashboardRevision, checkoutCommands } from '../steps/dashboard-revision.ts'
import {
  absoluteEnvFile,
  readMainCompose,
  replaceMainCompose,
  V2_VOLUME,
  withV2Service,
} from '../steps/main-compose.ts'
import { describeContainer } from '../steps/v1-container.ts'
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

/**
 * Waits for Docker to call the dashboard container healthy; a container that
 * exits, or a healthcheck that cannot run in the image, ends the wait.
 */
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
      // A check whose command the image lacks fails every retry alike: Docker's verdict is certain.
      if (healthcheckCannotRun(h.lastCheck))
        throw new TerminalStateError(
          `${stack.host.name}: the dashboard container's healthcheck cannot run in its image, so Docker will report it unhealthy; last healthcheck ${h.lastCheck}`,
        )
      throw new HostError(
        stack.host.name,
        `dashboard container ${h.status}, health ${h.health}${h.lastCheck ? ` (last check ${h.lastCheck})` : ''}`,
      )
    },
    { timeout, interval: '3s' },
  )
}

export const START_LINE = 'starting dashboard server'

export interface DashboardDeploy {
  startLine: string
  /** What each step did, in order (env file, checkout, compose file). */
  notes: string[]
  revision: { revision: string; commit: string }
  container: string
}

/**
 * Plan §2.3 where it works on the real csb1 (README departures): the v2
 * secrets file ensured from v1's environment; the nixfleet checkout at the
 * dashboard's pinned revision (not whatever `git pull` brings); the v2
 * service added to the main compose file (the executed plan's §2.2; the
 * checkout's own root compose builds v1); then only that service built and
 * started in ~/docker, its log read and Docker's health awaited. Each step
 * acts only after the one before it succeeded; each refuses before changing
 * anything when its input is wrong.
 */
export async function deployDashboard(fleet: Fleet): Promise<DashboardDeploy> {
  const stack = dashboardStack(fleet)
  const inv = fleet.inventory
  const svc = inv.dashboard.service
  const v1 = await stack.v1Container()
  if (v1?.running)
    throw new HostError(
      stack.host.name,
      `v1 still runs (${describeContainer(v1)}): both would serve ${new URL(inv.dashboard.url).hostname}; run phase 1 first; nothing was deployed`,
    )
  const notes = [await ensureV2EnvFile(stack, v1)]
  say(`${stack.host.name}: ${notes[0]}`)
  const rev = await checkOutDashboardRevision(stack, fleet.target)
  notes.push(rev.note)
  say(`${stack.host.name}: ${rev.note}`)
  const file = `${stack.dir}/docker-compose.yml`
  let edited: { text: string; unchanged: boolean }
  try {
    edited = withV2Service(await readMainCompose(stack), inv, await absoluteEnvFile(stack), file)
  } catch (err) {
    throw new HostError(stack.host.name, `${(err as Error).message}; nothing was deployed`)
  }
  notes.push(
    edited.unchanged
      ? `${file} already has the v2 service`
      : await replaceMainCompose(stack, edited.text, 'nixfleet-v2'),
  )
  say(`${stack.host.name}: ${notes.at(-1) ?? ''}`)
  await stack.compose(sh`build ${svc}`, '15m')
  await stack.compose(sh`up -d ${svc}`, '5m')
  const startLine = await poll(
    `${stack.host.name}: docker compose logs show "${START_LINE}"`,
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
  const { id } = await waitDashboardHealthy(stack, '3m')
  return {
    startLine,
    notes,
    revision: { revision: rev.revision, commit: rev.commit },
    container: id,
  }
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

/** What phase 2 will do, from the same changes and commands its run uses. */
export function planPhase2(fleet: Fleet): PhasePlan {
  const inv = fleet.inventory
  const plan = new PhasePlan('Phase 2: Deploy v2')
  const csb1 = inv.dashboard.host
  const hosts = testHosts(fleet)
  plan.note(
    csb1,
    `prerequisites: the v1 dashboard stopped and a verified backup in ${inv.dashboard.checkout}; ${inv.dashboard.env_file} holds every variable v2 requires (names read on ${csb1}, values never leave it)`,
  )
  if (inScope(inv, csb1)) {
    const fh = fleet.get(csb1)
    const stack = new DashboardStack(fh.host, inv)
    const svc = inv.dashboard.service
    plan.command(csb1, envFileCommand(stack))
    for (const c of checkoutCommands(stack)) plan.command(csb1, c)
    plan.command(
      csb1,
      `add service ${svc} (build ${inv.dashboard.checkout}/v2) and volume ${V2_VOLUME} to ${inv.dashboard.compose_dir}/docker-compose.yml   # checked by docker compose config first; old file kept`,
    )
    plan.command(csb1, stack.inDir(`docker compose build ${svc}`))
    plan.command(csb1, stack.inDir(`docker compose up -d ${svc}`))
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
