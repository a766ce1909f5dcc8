import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Fleet } from '../fleet/fleet.ts'
import { hostsForPhase, type HostSpec } from '../inventory/load-inventory.ts'
import { planDisableAgent, planToV2 } from '../nixcfg/edit-host-file.ts'
import { planPin } from '../nixcfg/flake-lock.ts'
import { Worktree, worktreePath } from '../nixcfg/worktree.ts'
import { PHASE1_COMMIT_MESSAGE } from '../phases/phase1.ts'
import { testHosts, V2_AGENT, v2CommitMessage } from '../phases/phase2.ts'
import { agentRollbackMessage } from '../phases/rollback-agent.ts'
import { hostScope, inScope } from '../runner/scope.ts'
import { sh } from '../shell/quote.ts'
import { DashboardStack } from '../steps/dashboard-stack.ts'
import { pullAndSwitchCommand } from '../steps/pull-and-switch.ts'
import { PhasePlan } from './phase-plan.ts'

/**
 * The plans of the runbook's phases: the commands each host would run and
 * each nixcfg file change as a diff, computed from the same functions the
 * phases use. Nothing here connects to a host or writes a file: the
 * working copy is read as it is (the run itself first fast-forwards it).
 */

function workingCopy(fleet: Fleet, plan: PhasePlan): Worktree | undefined {
  let dir: string
  try {
    dir = worktreePath(fleet.target)
  } catch (err) {
    plan.note('nixcfg', `no working copy to read: ${(err as Error).message}`)
    return undefined
  }
  if (!existsSync(join(dir, '.git'))) {
    plan.note('nixcfg', `${dir} is not a git working copy (the run would stop here)`)
    return undefined
  }
  const tree = new Worktree(dir, fleet.inventory.nixcfg.branch)
  plan.note(
    'nixcfg',
    `working copy ${dir} at ${tree.git('rev-parse', '--short', 'HEAD')}; the run first fast-forwards it to origin/${tree.branch}`,
  )
  return tree
}

/** Each host file edited by `edit`; a file the run would refuse is shown as the refusal. */
function planEdits(
  plan: PhasePlan,
  tree: Worktree | undefined,
  specs: HostSpec[],
  edit: (file: string) => { before: string; after: string },
): string[] {
  if (!tree) return []
  const files: string[] = []
  for (const s of specs) {
    try {
      const e = edit(join(tree.dir, s.config_file))
      plan.edit('nixcfg', s.config_file, e.before, e.after)
      if (e.before !== e.after) files.push(s.config_file)
    } catch (err) {
      plan.note(
        'nixcfg',
        `REFUSED, the run would stop before any change: ${(err as Error).message}`,
      )
    }
  }
  return files
}

function planCommit(plan: PhasePlan, fleet: Fleet, files: string[], message: string): void {
  if (!files.length) {
    plan.note('nixcfg', 'nothing to commit')
    return
  }
  plan.commit(sh`git commit -m ${message} -- ${files}`)
  plan.commit(sh`git push origin ${`HEAD:${fleet.inventory.nixcfg.branch}`}`)
}

function planSwitches(plan: PhasePlan, specs: HostSpec[]): void {
  for (const s of specs) plan.command(s.name, pullAndSwitchCommand(s))
}

function planV2Rollout(plan: PhasePlan, fleet: Fleet, hosts: string[]): void {
  const inv = fleet.inventory
  const specs = hosts.map((h) => fleet.get(h).spec)
  const tree = workingCopy(fleet, plan)
  const files = planEdits(plan, tree, specs, (file) =>
    planToV2(file, { url: inv.dashboard.ws_url, ...V2_AGENT }),
  )
  if (tree) {
    try {
      const pin = planPin(
        fleet.target,
        tree.dir,
        inv.nixcfg.nixfleet_input,
        inv.nixcfg.nixfleet_v2_rev,
      )
      if (pin.command) plan.command('nixcfg', pin.command.join(' '))
      if (pin.before !== undefined && pin.after !== undefined)
        plan.edit('nixcfg', 'flake.lock', pin.before, pin.after)
      if (pin.changed) files.push('flake.lock')
      else
        plan.note(
          'nixcfg',
          `flake.lock already pins ${inv.nixcfg.nixfleet_input} at ${pin.from.slice(0, 7)}`,
        )
    } catch (err) {
      plan.note('nixcfg', `REFUSED: ${(err as Error).message}`)
    }
  }
  planCommit(plan, fleet, files, v2CommitMessage(hosts))
  planSwitches(plan, specs)
}

export function planPhase1(fleet: Fleet): PhasePlan {
  const inv = fleet.inventory
  const plan = new PhasePlan('Phase 1: Decommission v1')
  const specs = hostsForPhase(inv, 1, hostScope(inv))
  const tree = workingCopy(fleet, plan)
  const files = planEdits(plan, tree, specs, (file) => planDisableAgent(file))
  planCommit(plan, fleet, files, PHASE1_COMMIT_MESSAGE)
  plan.request(
    `log in to the v1 dashboard at ${inv.dashboard.url}; read each host's last poll before and after the change (read-only)`,
  )
  planSwitches(plan, specs)
  const csb1 = inv.dashboard.host
  if (inScope(inv, csb1)) {
    const stack = new DashboardStack(fleet.get(csb1).host, inv)
    plan.command(csb1, stack.inDir('docker compose down'))
    plan.command(
      csb1,
      stack.inDir(
        sh`cp -- ${inv.dashboard.database} ${inv.dashboard.backup.replace('{date}', '$(date +%Y%m%d)')}`,
      ),
    )
  } else plan.note(csb1, 'not in HOSTS: the v1 dashboard is left running, no backup')
  return plan
}

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
    plan.command(csb1, stack.inDir('git pull'))
    plan.command(csb1, stack.inDir('docker compose build'))
    plan.command(csb1, stack.inDir('docker compose up -d'))
    plan.command(csb1, fh.os.rebootCommand)
  } else plan.note(csb1, 'not in HOSTS: the dashboard is not deployed or rebooted')
  plan.note(
    'dashboard',
    `prerequisite for the agents: ${inv.dashboard.ws_url} answers (401 without credentials)`,
  )
  planV2Rollout(plan, fleet, hosts)
  for (const h of hosts) plan.command(h, fleet.get(h).os.rebootCommand)
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
  planV2Rollout(plan, fleet, hosts)
  return plan
}

export function planAgentRollback(fleet: Fleet, hosts: string[]): PhasePlan {
  const plan = new PhasePlan('Rollback: v2 agent')
  const specs = hosts.map((h) => fleet.get(h).spec)
  const tree = workingCopy(fleet, plan)
  const files = planEdits(plan, tree, specs, (file) => planDisableAgent(file))
  planCommit(plan, fleet, files, agentRollbackMessage(hosts))
  planSwitches(plan, specs)
  return plan
}

export function planDashboardRollback(fleet: Fleet): PhasePlan {
  const inv = fleet.inventory
  const csb1 = inv.dashboard.host
  const stack = new DashboardStack(fleet.get(csb1).host, inv)
  const { database, backup } = inv.dashboard
  const pattern = backup.replace('{date}', '*')
  const plan = new PhasePlan('Rollback: v2 dashboard')
  plan.note(csb1, `refuses unless the newest ${pattern} is a verified SQLite v1 database`)
  plan.command(csb1, stack.inDir('git log --all --format=%H --diff-filter=A -- v2 | tail -1'))
  plan.command(csb1, stack.inDir('docker compose down'))
  plan.command(csb1, stack.inDir('git checkout <parent of the commit that added v2/>'))
  plan.command(
    csb1,
    stack.inDir(sh`mv -n -- ${database} ${`${database}.before-rollback-<time>`}`) +
      '   # only when it differs from the backup',
  )
  plan.command(csb1, stack.inDir(`cp -- <newest ${pattern}> ${database}`))
  plan.command(csb1, stack.inDir('docker compose build'))
  plan.command(csb1, stack.inDir('docker compose up -d'))
  return plan
}
