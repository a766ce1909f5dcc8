import { createHash } from 'node:crypto'
import { createTwoFilesPatch } from 'diff'
import { redact } from '../secrets/redact.ts'


export interface PlanStep {
  /** A host, or "nixcfg" for the operator's working copy, or "dashboard" for its API. */
  where: string
  kind: 'command' | 'edit' | 'commit' | 'request' | 'note'
  text: string
  /** For edits: the unified diff of the file. */
  diff?: string
}

/**
 * What a phase would do, step by step, built from the same functions the
 * phase runs (the same command strings, the same nixcfg edits), so the plan
 * cannot drift from the actions. Rendered grouped by where each step
 * happens, in the order of the phase.
 */
export class PhasePlan {
  readonly steps: PlanStep[] = []

  constructor(readonly phase: string) {}

  command(where: string, text: string): this {
    this.steps.push({ where, kind: 'command', text })
    return this
  }

  request(text: string): this {
    this.steps.push({ where: 'dashboard', kind: 'request', text })
    return this
  }

  note(where: string, text: string): this {
    this.steps.push({ where, kind: 'note', text })
    return this
  }

  commit(text: string): this {
    this.steps.push({ where: 'nixcfg', kind: 'commit', text })
    return this
  }

  /** A file change as a unified diff (nothing when the file already reads as intended). */
  edit(where: string, file: string, before: string, after: string): this {
    if (before === after) return this.note(where, `${file}: already as intended, not changed`)
    const diff = createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, '', '', {
      context: 3,
    })
    this.steps.push({ where, kind: 'edit', text: file, diff })
    return this
  }

  /**
   * The confirmation code of this plan: 12 hex digits of the sha256 of the
   * phase and every step (commands, diffs, the working copy's commit). A
   * production run acts only when given back the code of the plan it would
   * run now, so a confirmation cannot outlive what was reviewed.
   */
  code(): string {
    return createHash('sha256')
      .update(JSON.stringify({ phase: this.phase, steps: this.steps }))
      .digest('hex')
      .slice(0, 12)
  }

  render(): string {
    const places = [...new Set(this.steps.map((s) => s.where))]
    const out = [`=== PLAN: ${this.phase} (nothing below has been done) ===`]
    for (const where of places) {
      out.push(`--- ${where}`)
      for (const s of this.steps.filter((x) => x.where === where)) {
        const mark = { command: '$', edit: '~', commit: '+', request: '>', note: '#' }[s.kind]
        out.push(`  ${mark} ${s.text}`)
        if (s.diff)
          out.push(
            ...s.diff
              .trimEnd()
              .split('\n')
              .map((l) => `    ${l}`),
          )
      }
    }
    return redact(out.join('\n'))
  }
}
