import { spawnSync } from 'node:child_process'
import type { Target } from '../config/target.ts'
import { targetAccess } from '../config/target-access.ts'
import type { FlakeOutput } from '../os/os-adapter.ts'
import { journalLocal } from '../transcript/transcript.ts'

export interface HostOutput extends FlakeOutput {
  host: string
}

const EVAL_TIMEOUT_MS = 10 * 60_000

/** The `nix eval` installable of a host's agent enable, in a flake directory (its files as they are). */
export function nixEvalInstallable(dir: string, o: FlakeOutput): string {
  const set = o.kind === 'nixos' ? 'nixosConfigurations' : 'homeConfigurations'
  return `path:${dir}#${set}."${o.attr}".config.services.nixfleet-agent.enable`
}

/** Runs an evaluator on this machine (journaled, within the evaluation deadline). */
export function runEvaluator(
  command: string,
  args: string[],
): { status: number; stdout: string; stderr: string } {
  const r = journalLocal(`${command} ${args.join(' ')}`, () => {
    const out = spawnSync(command, args, { encoding: 'utf8', timeout: EVAL_TIMEOUT_MS })
    return { value: out, exitCode: out.status ?? -1, stderr: out.stderr ?? '' }
  })
  if (r.error) return { status: -1, stdout: '', stderr: r.error.message }
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

/**
 * Every host's configuration evaluated in `dir` (a flake with the change and
 * the pin applied), as the target evaluates: `nix eval` in production, the
 * target's own evaluator in a rehearsal. Returns one problem per host that
 * does not evaluate, naming it and quoting the evaluator; [] when all do.
 */
export function hostsThatFailToEvaluate(
  target: Target,
  dir: string,
  hosts: HostOutput[],
): string[] {
  const how = targetAccess(target).evaluate
  const firstLines = (t: string): string =>
    t.trim().split('\n').slice(0, 3).join(' ').replace(/\s+/g, ' ')
  if (how === 'nix')
    return hosts.flatMap((h) => {
      const r = runEvaluator('nix', ['eval', '--json', nixEvalInstallable(dir, h)])
      return r.status === 0
        ? []
        : [`${h.host}: ${firstLines(r.stderr) || `nix eval exited ${r.status}`}`]
    })
  const [command, ...pre] = how.command
  const r = runEvaluator(command!, [...pre, dir, ...hosts.map((h) => `${h.kind}:${h.attr}`)])
  const answers = new Map<string, { ok: boolean; error?: string }>()
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    try {
      const a = JSON.parse(line) as { output: string; ok: boolean; error?: string }
      answers.set(a.output, a)
    } catch {
      // A line that is not an answer is not one; the host then has none (below).
    }
  }
  return hosts.flatMap((h) => {
    const a = answers.get(`${h.kind}:${h.attr}`)
    if (!a)
      return [`${h.host}: the evaluator gave no answer (exit ${r.status}): ${firstLines(r.stderr)}`]
    return a.ok ? [] : [`${h.host}: ${firstLines(a.error ?? 'does not evaluate')}`]
  })
}
