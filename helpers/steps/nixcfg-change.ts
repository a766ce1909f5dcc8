import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import type { Fleet, FleetHost } from '../fleet/fleet.ts'
import type { FileEdit } from '../nixcfg/agent-block.ts'
import { hostsThatFailToEvaluate } from '../nixcfg/evaluate-hosts.ts'
import { pinInput, planPin } from '../nixcfg/flake-lock.ts'
import { planAllEdits } from '../nixcfg/plan-all-edits.ts'
import { Worktree, worktreePath } from '../nixcfg/worktree.ts'
import { say } from '../output/say.ts'
import type { PhasePlan } from '../plan/phase-plan.ts'
import { describeOutcome, parallelLimit, perHost, type HostOutcome } from '../flow/per-host.ts'
import { sh } from '../shell/quote.ts'
import { withContext } from '../transcript/run-context.ts'
import { pullAndSwitch, pullAndSwitchCommand, type SwitchResult } from './pull-and-switch.ts'

/**
 * The one step kind the plan uses four times (phase 1, the v2 rollout,
 * phase 3, the agent rollback): edit some hosts' files in nixcfg (and pin
 * the nixfleet input), one commit, one push, then each of those hosts pulls
 * and switches. Its plan-mode description and its action are built from the
 * same `NixcfgChange`, so what the operator reviewed is what runs.
 */
export interface NixcfgChange {
  hosts: string[]
  /** The edit of one host file, judged by the Nix parser (throws to refuse). */
  edit: (file: string) => FileEdit & { dropped?: string[] }
  /**
   * Hosts whose files the change also edits without switching them: the pin
   * moves the module every host evaluates, so the hosts left out must stay
   * valid under it (phase 2 removes their v1-only options).
   */
  alsoEdit?: { hosts: string[]; edit: (file: string) => FileEdit & { dropped?: string[] } }
  /** The flake input to pin, with the change. */
  pin?: { input: string; rev: string }
  message: string
  /** The intended state on a host: with its checkout at the commit, its switch is skipped on a re-run. */
  isDone: (fh: FleetHost) => Promise<boolean>
  /** The check a host's switch is evidence for (its transcript context). */
  checkOf?: (host: string) => string
}

export interface NixcfgChangeResult {
  commit: string
  note: string
  switches: Map<string, HostOutcome<SwitchResult>>
}

/** Every edit judged and the pin written, in a working copy brought up to date; nothing committed yet. */
export interface PreparedChange {
  tree: Worktree
  edits: FileEdit[]
}

const files = (fleet: Fleet, change: NixcfgChange): string[] =>
  [...change.hosts, ...(change.alsoEdit?.hosts ?? [])].map((h) => fleet.get(h).spec.config_file)

/** The working copy on the fleet's branch and up to date with its remote, the change's files clean. */
export function workingCopyFor(fleet: Fleet, change: NixcfgChange): Worktree {
  const tree = new Worktree(worktreePath(fleet.target), fleet.inventory.nixcfg.branch)
  tree.prepare([...files(fleet, change), ...(change.pin ? ['flake.lock'] : [])])
  return tree
}

/**
 * Before anything is committed: every host file's edit judged (one refusal
 * stops them all, each named by host), then the pin written. Throws before
 * any file is touched when an edit is refused.
 */
export function prepareNixcfgChange(
  fleet: Fleet,
  change: NixcfgChange,
  tree: Worktree = workingCopyFor(fleet, change),
): PreparedChange {
  const also = change.alsoEdit
  const specs = change.hosts.map((h) => fleet.get(h).spec)
  const alsoSpecs = (also?.hosts ?? []).map((h) => fleet.get(h).spec)
  // Every file judged before any is written, the switched hosts' and the others' alike.
  const edits = planAllEdits(tree.dir, [...specs, ...alsoSpecs], (file) =>
    alsoSpecs.some((s) => join(tree.dir, s.config_file) === file) && also
      ? also.edit(file)
      : change.edit(file),
  )
  for (const e of edits)
    if (e.dropped?.length)
      say(`nixcfg: ${tree.rel(e.file)}: v1-only options removed: ${e.dropped.join(', ')}`)
  if (change.pin) {
    const pin = pinInput(fleet.target, tree.dir, change.pin.input, change.pin.rev)
    if (pin.changed)
      say(
        `nixcfg: flake.lock: ${change.pin.input} ${pin.from.slice(0, 7)} -> ${change.pin.rev.slice(0, 7)}`,
      )
    const problems = evaluateEveryHost(fleet, tree, edits)
    if (problems.length) {
      // Nothing half-done: the pin written above goes back with the refusal.
      if (pin.changed) tree.git('checkout', '--quiet', '--', 'flake.lock')
      throw new Error(
        `nixcfg: nothing was changed: under ${change.pin.input} ${change.pin.rev} these hosts would no longer evaluate (no rebuild, no rollback):\n${problems.join('\n')}`,
      )
    }
    say(
      `nixcfg: every host's configuration evaluates under ${change.pin.input} ${change.pin.rev.slice(0, 12)}`,
    )
  }
  return { tree, edits }
}

/**
 * One pin moves every host's module: each host of the inventory, the ones
 * this change does not switch too, is evaluated with the edits and the pin
 * applied (in a copy of the working copy, nothing written to it).
 */
function evaluateEveryHost(fleet: Fleet, tree: Worktree, edits: FileEdit[]): string[] {
  const copy = mkdtempSync(join(tmpdir(), 'nixcfg-eval-'))
  try {
    cpSync(tree.dir, copy, { recursive: true, filter: (src) => !src.endsWith(`${sep}.git`) })
    for (const e of edits.filter((x) => x.changed))
      writeFileSync(join(copy, tree.rel(e.file)), e.after)
    const outputs = fleet.inventory.hosts.map((spec) => ({
      host: spec.name,
      ...fleet.get(spec.name).os.flakeOutput(spec),
    }))
    return hostsThatFailToEvaluate(fleet.target, copy, outputs)
  } finally {
    rmSync(copy, { recursive: true, force: true })
  }
}

/** One commit, one push; then every host pulls and switches, in parallel, each failure kept to its host. */
export async function commitAndSwitch(
  fleet: Fleet,
  change: NixcfgChange,
  prepared: PreparedChange,
): Promise<NixcfgChangeResult> {
  const branch = fleet.inventory.nixcfg.branch
  const pushed = prepared.tree.commitAndPush(
    prepared.edits,
    change.message,
    change.pin ? ['flake.lock'] : [],
  )
  say(`nixcfg: ${pushed.note}`)
  const switches = await perHost(change.hosts, parallelLimit(), (h) => {
    const fh = fleet.get(h)
    const run = (): Promise<SwitchResult> =>
      pullAndSwitch(fh, { commit: pushed.commit, branch, isDone: () => change.isDone(fh) })
    return change.checkOf ? withContext({ check: change.checkOf(h) }, run) : run()
  })
  for (const o of switches.values()) say(describeOutcome(o, (r) => r.note))
  return { commit: pushed.commit, note: pushed.note, switches }
}

export async function applyNixcfgChange(
  fleet: Fleet,
  change: NixcfgChange,
): Promise<NixcfgChangeResult> {
  return commitAndSwitch(fleet, change, prepareNixcfgChange(fleet, change))
}

/**
 * The change as plan mode shows it: the working copy read as it is (the run
 * first fast-forwards it), each host file's diff (or the refusal the run
 * would stop at), the pin, the commit and push, each host's command. Nothing
 * is written and no host is contacted.
 */
export function describeNixcfgChange(fleet: Fleet, change: NixcfgChange, plan: PhasePlan): void {
  const tree = workingCopy(fleet, plan)
  const changed: string[] = []
  if (tree) {
    const also = new Set(change.alsoEdit?.hosts ?? [])
    for (const h of [...change.hosts, ...also]) {
      const file = fleet.get(h).spec.config_file
      const edit = also.has(h) && change.alsoEdit ? change.alsoEdit.edit : change.edit
      try {
        const e = edit(join(tree.dir, file))
        plan.edit('nixcfg', file, e.before, e.after)
        if (e.before !== e.after) changed.push(file)
      } catch (err) {
        plan.note(
          'nixcfg',
          `REFUSED, the run would stop before any change: ${(err as Error).message}`,
        )
      }
    }
    if (change.pin) describePin(fleet, change.pin, tree, plan, changed)
  }
  if (!changed.length) plan.note('nixcfg', 'nothing to commit')
  else {
    plan.commit(sh`git commit -m ${change.message} -- ${changed}`)
    plan.commit(sh`git push origin ${`HEAD:${fleet.inventory.nixcfg.branch}`}`)
  }
  for (const h of change.hosts) plan.command(h, pullAndSwitchCommand(fleet.get(h).spec))
}

function describePin(
  fleet: Fleet,
  pinTo: { input: string; rev: string },
  tree: Worktree,
  plan: PhasePlan,
  changed: string[],
): void {
  try {
    const pin = planPin(fleet.target, tree.dir, pinTo.input, pinTo.rev)
    if (pin.command) plan.command('nixcfg', pin.command.join(' '))
    if (pin.before !== undefined && pin.after !== undefined)
      plan.edit('nixcfg', 'flake.lock', pin.before, pin.after)
    if (pin.changed) changed.push('flake.lock')
    else plan.note('nixcfg', `flake.lock already pins ${pinTo.input} at ${pin.from.slice(0, 7)}`)
  } catch (err) {
    plan.note('nixcfg', `REFUSED: ${(err as Error).message}`)
  }
}

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
