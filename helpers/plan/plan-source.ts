import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { marked, type Token, type Tokens } from 'marked'

/**
 * The operator's plan, kept verbatim in the repository (`plan/`), is the one
 * source of the checklists: the sign-off, the specs' checkbox titles and the
 * fault matrix are all compared with the checkbox text read from it here.
 */
export const PLAN_FILE = fileURLToPath(
  new URL('../../plan/P4500-v2-migration-execution-plan.md', import.meta.url),
)

export class PlanSourceError extends Error {
  override name = 'PlanSourceError'
}

/** Each heading of the plan with the task-list items ("- [ ] …") that follow it before the next heading. */
export function checklistsIn(markdown: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  let heading: string | undefined
  for (const token of marked.lexer(markdown) as Token[]) {
    if (token.type === 'heading') {
      heading = (token as Tokens.Heading).text.trim()
      continue
    }
    if (token.type !== 'list' || heading === undefined) continue
    const tasks = (token as Tokens.List).items.filter((i) => i.task).map((i) => i.text.trim())
    if (tasks.length) out.set(heading, [...(out.get(heading) ?? []), ...tasks])
  }
  return out
}

/** The checkbox texts under `heading` in the plan; a heading without checkboxes is an error naming the file. */
export function planChecklist(heading: string, file = PLAN_FILE, text?: string): string[] {
  const items = checklistsIn(text ?? readFileSync(file, 'utf8')).get(heading)
  if (!items?.length)
    throw new PlanSourceError(`${file}: no checklist ("- [ ] …" items) under the heading "${heading}"`)
  return items
}
