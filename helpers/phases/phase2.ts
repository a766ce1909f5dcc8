import { missingV2Variables } from '../checks/dashboard-env.ts'
import type { Fleet, FleetHost } from '../fleet/fleet.ts'
import { HostError } from '../hosts/errors.ts'
import { hostsForPhase } from '../inventory/load-inventory.ts'
import { hostScope } from '../runner/scope.ts'
import { planToV2 } from '../nixcfg/edit-host-file.ts'
import { planAllEdits } from '../nixcfg/plan-all-edits.ts'
import { pinInput } from '../nixcfg/flake-lock.ts'
import { Worktree, worktreePath } from '../nixcfg/worktree.ts'
import { say } from '../output/say.ts'
import { describeOutcome, parallelLimit, perHost, type HostOutcome } from '../runner/per-host.ts'
import { sh } from '../shell/quote.ts'
import { DashboardStack, NoContainerError } from '../steps/dashboard-stack.ts'
import { pullAndSwitch, type SwitchResult } from '../steps/pull-and-switch.ts'
import { doOnce, type StepLedger } from '../runner/step-ledger.ts'
import type { Duration } from '../time/duration.ts'
import { poll, TerminalStateError } from '../wait/poll.ts'

/** The v2 agent settings the plan gives (§2.5) and the module's defaults at the migration. */
export const V2_AGENT = { interval: 30, logLevel: 'info' } as const

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
  const pull = await stack.host.succeed(stack.inDir('git pull 2>&1'), { timeout: '5m' })
  say(`${stack.host.name}: git pull: ${pull.trim().split('\n')[0] ?? ''}`)
  await stack.compose('build', '15m')
  await stack.compose('up -d', '5m')
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
  /** Set when this reboot was proven by an earlier run and not repeated. */
  earlier?: { at: string; runId: string }
}

/** A real reboot with the OS's command, proven by a new boot identity. */
export async function rebootHost(fh: FleetHost, timeout: Duration = '6m'): Promise<RebootEvidence> {
  const clockBefore = Number((await fh.host.succeed('date +%s', { timeout: '30s' })).trim())
  const r = await fh.host.reboot({
    command: fh.os.rebootCommand,
    bootIdentity: (h) => fh.os.bootIdentity(h),
    timeout,
  })
  say(`${fh.spec.name}: rebooted (${r.before} -> ${r.after})`)
  return { host: fh.spec.name, before: r.before, after: r.after, clockBefore, tookMs: r.tookMs }
}

/**
 * A reboot that proves something (the deploy, or an agent's rollout, comes
 * back by itself), done once: a re-run finds it in the ledger under `key`
 * and, while the host is still in the boot that reboot produced, does not
 * reboot again (STEPS=<step> forces it).
 */
export async function rebootOnce(
  fh: FleetHost,
  ledger: StepLedger,
  step: '2.4' | '2.6',
  key: string,
): Promise<RebootEvidence> {
  const r = await doOnce<RebootEvidence>(ledger, {
    step,
    key,
    stillHolds: async (e) => (await fh.os.bootIdentity(fh.host)) === e.after,
    action: () => rebootHost(fh),
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
  const inv = fleet.inventory
  const tree = new Worktree(worktreePath(fleet.target), inv.nixcfg.branch)
  const specs = hosts.map((h) => fleet.get(h).spec)
  tree.prepare([...specs.map((s) => s.config_file), 'flake.lock'])
  const edits = planAllEdits(tree.dir, specs, (file) =>
    planToV2(file, { url: inv.dashboard.ws_url, ...V2_AGENT }),
  )
  for (const e of edits)
    if (e.dropped.length)
      say(`nixcfg: ${tree.rel(e.file)}: v1-only options removed: ${e.dropped.join(', ')}`)
  const pin = pinInput(
    fleet.target,
    tree.dir,
    inv.nixcfg.nixfleet_input,
    inv.nixcfg.nixfleet_v2_rev,
  )
  if (pin.changed)
    say(
      `nixcfg: flake.lock: ${inv.nixcfg.nixfleet_input} ${pin.from.slice(0, 7)} -> ${inv.nixcfg.nixfleet_v2_rev.slice(0, 7)}`,
    )
  const pushed = tree.commitAndPush(edits, message, ['flake.lock'])
  say(`nixcfg: ${pushed.note}`)
  const switches = await perHost(hosts, parallelLimit(), (h) => {
    const fh = fleet.get(h)
    return pullAndSwitch(fh, {
      commit: pushed.commit,
      branch: inv.nixcfg.branch,
      isDone: async () => (await fh.os.agentState(fh.host)).running,
    })
  })
  for (const o of switches.values()) say(describeOutcome(o, (r) => r.note))
  return { commit: pushed.commit, note: pushed.note, switches }
}

export function v2CommitMessage(hosts: string[]): string {
  const list =
    hosts.length > 1 ? `${hosts.slice(0, -1).join(', ')} and ${hosts.at(-1)}` : (hosts[0] ?? '')
  return `feat: deploy nixfleet v2 agent to ${list}`
}
