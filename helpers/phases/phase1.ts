import { dashboardClient } from '../dashboard/dashboard-access.ts'
import { V1PollProbe, type PollWatch } from '../dashboard/v1-polls.ts'
import type { Fleet, FleetHost } from '../fleet/fleet.ts'
import { hostsForPhase } from '../inventory/load-inventory.ts'
import { hostScope, inScope, outOfScope } from '../config/scope.ts'
import { planDisableAgent } from '../nixcfg/edit-host-file.ts'
import { PhasePlan } from '../plan/phase-plan.ts'
import { say } from '../output/say.ts'
import { describeOutcome, parallelLimit, perHost, type HostOutcome } from '../flow/per-host.ts'
import {
  commitAndSwitch,
  describeNixcfgChange,
  prepareNixcfgChange,
  workingCopyFor,
  type NixcfgChange,
} from '../steps/nixcfg-change.ts'
import { readSecret } from '../secrets/secrets.ts'
import { enforcePrerequisites, phase1Unmet, requireSecrets } from './prerequisites.ts'
import { DashboardStack } from '../steps/dashboard-stack.ts'
import type { SwitchResult } from '../steps/pull-and-switch.ts'
import { backupCommand, backUpV1Database, type BackupResult } from '../steps/v1-backup.ts'
import { archiveCommand, archiveV1Folder } from '../steps/v1-archive.ts'
import { describeContainer, type DashboardContainer } from '../steps/v1-container.ts'
import { HostError } from '../hosts/errors.ts'
import { sh } from '../shell/quote.ts'
import { formatMs } from '../time/duration.ts'
import { withContext } from '../transcript/run-context.ts'

export const PHASE1_COMMIT_MESSAGE = 'chore: disable v1 nixfleet agents for v2 migration'

/** What phase 1's actions did, for its checks to judge. Errors are kept, not thrown, per host. */
export interface Phase1Result {
  hosts: string[]
  nixcfg: { commit: string; note: string }
  /** Whether each host's agent ran before this run touched anything. */
  runningBefore: Map<string, HostOutcome<boolean>>
  /** The v1 dashboard's view: polls before the change (paired) and after it. */
  v1:
    | {
        before: Map<string, PollWatch>
        after: Map<string, PollWatch>
        /** Every host the v1 dashboard listed before the change, with its last poll. */
        listed: Map<string, string | null>
      }
    | { skipped: string }
    | { error: Error }
  switches: Map<string, HostOutcome<SwitchResult>>
  /** Wall-clock time of the parallel pull+switch step. */
  switchWallMs: number
  dashboard:
    | { stopped: string; v1: DashboardContainer; backup: BackupResult; archive: string }
    | { error: Error }
    | { skipped: string }
  ms: number
}

/** Plan §1.1 as one nixcfg change: every phase-1 host's agent disabled, one commit, each host switched. */
export function phase1Change(fleet: Fleet, hosts: string[]): NixcfgChange {
  return {
    hosts,
    edit: (file) => planDisableAgent(file),
    message: PHASE1_COMMIT_MESSAGE,
    isDone: (fh) => agentStopped(fh),
    checkOf: (h) => `${h}: v1 agent stopped`,
  }
}

/** What phase 1 will do, from the same change and commands its run uses (plan mode, production's plan). */
export function planPhase1(fleet: Fleet): PhasePlan {
  const inv = fleet.inventory
  const plan = new PhasePlan('Phase 1: Decommission v1')
  const hosts = hostsForPhase(inv, 1, hostScope(inv)).map((s) => s.name)
  describeNixcfgChange(fleet, phase1Change(fleet, hosts), plan)
  plan.request(
    `log in to the v1 dashboard at ${inv.dashboard.url}; read each host's last poll before and after the change (read-only)`,
  )
  const csb1 = inv.dashboard.host
  if (inScope(inv, csb1)) {
    const stack = new DashboardStack(fleet.get(csb1).host, inv)
    const name = new URL(inv.dashboard.url).hostname
    plan.command(
      csb1,
      `docker inspect $(docker ps -a -q)   # the v1 container: the one whose Traefik rule is Host(\`${name}\`), outside ${inv.dashboard.compose_dir}; its compose project and data volume`,
    )
    plan.command(
      csb1,
      'docker stop <that container>   # plan: `docker compose down` in ~/docker/nixfleet, which does not run v1 on csb1',
    )
    plan.command(csb1, backupCommand(stack))
    plan.command(csb1, archiveCommand(stack))
  } else plan.note(csb1, 'not in HOSTS: the v1 dashboard is left running, no backup')
  return plan
}

/** An agent stopped as the plan's verify commands see it: unit inactive or gone; no launchd job. */
export async function agentStopped(fh: FleetHost): Promise<boolean> {
  const s = await fh.os.agentState(fh.host)
  return !s.running
}

/**
 * Phase 1 (plan §1.1-1.2), in the order the plan gives, made safe:
 * 1. every host file edited in memory and judged by the Nix parser; one bad
 *    file stops the phase before anything is written, committed or touched;
 * 2. the v1 dashboard watched while agents still poll (the "before" half of
 *    the paired check);
 * 3. one commit, one push; every host pulls and switches, in parallel, each
 *    failure kept to its host;
 * 4. the v1 dashboard watched again ("after": no host's last poll moves);
 * 5. on csb1: the v1 container found, stopped, its database backed up from
 *    its volume, and the v1 folder archived.
 */
export async function runPhase1(fleet: Fleet): Promise<Phase1Result> {
  const started = Date.now()
  // HOSTS narrows the phase: only those hosts are edited, rebuilt and watched.
  const specs = hostsForPhase(fleet.inventory, 1, hostScope(fleet.inventory))
  const hosts = specs.map((s) => s.name)
  const fh = (name: string): FleetHost => fleet.get(name)

  // 1. Edits, validated before anything is written.
  const change = phase1Change(fleet, hosts)
  // Inputs first: the secrets the v1 login needs, then the working copy, then the fleet's state.
  requireSecrets('phase 1', ['dashboardPassword', 'totpSecret'])
  const tree = workingCopyFor(fleet, change)
  enforcePrerequisites('phase 1', await phase1Unmet(fleet, tree, hosts))
  const prepared = prepareNixcfgChange(fleet, change, tree)

  const runningBefore = await agentsRunningBefore(fleet, hosts)

  // 2. The v1 dashboard, before the change.
  const csb1 = fh(fleet.inventory.dashboard.host)
  const stack = new DashboardStack(csb1.host, fleet.inventory)
  const watched = hosts.filter((h) => {
    const o = runningBefore.get(h)
    return o?.ok && o.value
  })
  const { probe, v1 } = await watchV1Before(fleet, stack, watched)

  // 3. One commit, one push; then every host, in parallel.
  const switchStarted = Date.now()
  const pushed = await commitAndSwitch(fleet, change, prepared)
  const switches = pushed.switches
  const switchWallMs = Date.now() - switchStarted

  // 4. The v1 dashboard, after: nobody's last poll may move for a few intervals.
  const v1After = probe && 'before' in v1 ? await watchV1After(probe, v1, hosts) : v1

  // 5. Stop the v1 dashboard, back up its database, archive its folder (§1.2, §1.3 as executed).
  const notInScope = outOfScope(fleet.inventory, csb1.spec.name)
  const dashboard: Phase1Result['dashboard'] = notInScope
    ? { skipped: notInScope }
    : await stopAndBackUpV1(stack).catch((err: unknown) => ({ error: err as Error }))

  return {
    hosts,
    nixcfg: { commit: pushed.commit, note: pushed.note },
    runningBefore,
    v1: v1After,
    switches,
    switchWallMs,
    dashboard,
    ms: Date.now() - started,
  }
}

/** Whether each host's agent ran before this run touched anything. */
async function agentsRunningBefore(
  fleet: Fleet,
  hosts: string[],
): Promise<Map<string, HostOutcome<boolean>>> {
  const running = await perHost(hosts, parallelLimit(), (h) =>
    agentStopped(fleet.get(h)).then((s) => !s),
  )
  for (const o of running.values())
    say(describeOutcome(o, (r) => (r ? 'agent running' : 'agent already stopped')))
  return running
}

/** The "before" half of the paired check: each running agent's last poll seen moving on the v1 dashboard. */
async function watchV1Before(
  fleet: Fleet,
  stack: DashboardStack,
  watched: string[],
): Promise<{ probe?: V1PollProbe; v1: Phase1Result['v1'] }> {
  try {
    const v1 = await stack.v1Container()
    if (!v1?.running)
      return {
        v1: {
          skipped: `the v1 dashboard was already down when this run began (${v1 ? describeContainer(v1) : 'no v1 container'})`,
        },
      }
    const probe = new V1PollProbe(dashboardClient(fleet.target, fleet.inventory.dashboard.url))
    await probe.login(readSecret('dashboardPassword'), readSecret('totpSecret'))
    const listed = new Map(
      [...(await probe.rows()).values()].map((r) => [r.hostname, r.last_seen ?? null] as const),
    )
    const before = await probe.watch(watched, { timeout: '5m', untilAllMove: true })
    const moved = [...before.values()].filter((w) => w.advanced).map((w) => w.host)
    say(
      `v1 dashboard: polls seen moving for ${moved.length} of ${watched.length} running agents before the change`,
    )
    return { probe, v1: { before, after: new Map(), listed } }
  } catch (err) {
    return { v1: { error: err as Error } }
  }
}

/** The "after" half: for a few poll intervals, no host's last poll may move. */
async function watchV1After(
  probe: V1PollProbe,
  v1: {
    before: Map<string, PollWatch>
    after: Map<string, PollWatch>
    listed: Map<string, string | null>
  },
  hosts: string[],
): Promise<Phase1Result['v1']> {
  try {
    const windowMs = await probe.quietWindowMs(hosts)
    say(`v1 dashboard: watching polls for ${formatMs(windowMs)}`)
    return { ...v1, after: await probe.watch(hosts, { timeout: windowMs, untilAllMove: false }) }
  } catch (err) {
    return { error: err as Error }
  }
}

/**
 * Plan §1.2 where v1 really runs: the container serving the dashboard's name
 * is found with docker inspect (its compose project and volume recorded),
 * stopped if it runs (`docker stop` keeps it, so the rollback can start it
 * again and a re-run finds it), its database backed up from its volume, and
 * the v1 folder archived.
 */
async function stopAndBackUpV1(stack: DashboardStack): Promise<{
  stopped: string
  v1: DashboardContainer
  backup: BackupResult
  archive: string
}> {
  return withContext({ check: 'csb1: v1 dashboard stopped' }, async () => {
    const { host } = stack
    const v1 = await stack.v1Container()
    if (!v1)
      throw new HostError(
        host.name,
        `no container serves ${new URL(stack.inventory.dashboard.url).hostname} outside ${stack.dir}: the v1 dashboard was not found (docker ps -a), so there is nothing to stop and no database to back up`,
      )
    say(`${host.name}: v1 is ${describeContainer(v1)}`)
    let stopped = `${v1.name} was already stopped`
    if (v1.running) {
      await host.succeed(sh`docker stop ${v1.id}`, { timeout: '2m' })
      stopped = `docker stop ${v1.name} (compose project ${v1.compose.project || '-'}, ${v1.compose.configFiles.join(', ') || 'no compose file'})`
      v1.running = false
    }
    say(`${host.name}: ${stopped}`)
    const backup = await backUpV1Database(stack, v1)
    say(`${host.name}: ${backup.note}`)
    const archive = await archiveV1Folder(stack)
    say(`${host.name}: ${archive}`)
    return { stopped, v1, backup, archive }
  })
}
