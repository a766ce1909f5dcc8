import { readFileSync } from 'node:fs'
import ts from 'typescript'

/**
 * The check titles a spec file declares, read from its syntax tree: the
 * first argument of every `it(…)` (or `…It(…)` wrapper) as a pattern, where
 * a `${…}` part (a host name from the inventory) matches one name. Each
 * title carries the titles of the `describe` blocks around it.
 */
export interface SpecTitle {
  title: string
  pattern: RegExp
  describes: string[]
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function textPattern(node: ts.Expression): { title: string; pattern: RegExp } | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
    return { title: node.text, pattern: new RegExp(`^${escape(node.text)}$`) }
  if (ts.isTemplateExpression(node)) {
    let title = node.head.text
    let re = escape(node.head.text)
    for (const span of node.templateSpans) {
      title += `\${${span.expression.getText()}}${span.literal.text}`
      // A substituted part is a host name, a URL's host or a list of hosts.
      re += `.+?${escape(span.literal.text)}`
    }
    return { title, pattern: new RegExp(`^${re}$`) }
  }
  return undefined
}

function calleeName(call: ts.CallExpression): string {
  return ts.isIdentifier(call.expression) ? call.expression.text : ''
}

/** `const backCheck = (h: string): string => \`${h}: …\``: title helpers, by name. */
function titleHelpers(source: ts.SourceFile): Map<string, ts.Expression> {
  const out = new Map<string, ts.Expression>()
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      ts.isArrowFunction(node.initializer) &&
      !ts.isBlock(node.initializer.body)
    )
      out.set(node.name.text, node.initializer.body)
    ts.forEachChild(node, visit)
  }
  visit(source)
  return out
}

export function specTitles(file: string, text = readFileSync(file, 'utf8')): SpecTitle[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true)
  const helpers = titleHelpers(source)
  const out: SpecTitle[] = []
  const titleOf = (arg: ts.Expression): ReturnType<typeof textPattern> => {
    if (ts.isCallExpression(arg) && ts.isIdentifier(arg.expression)) {
      const body = helpers.get(arg.expression.text)
      return body ? textPattern(body) : undefined
    }
    return textPattern(arg)
  }
  const visit = (node: ts.Node, describes: string[]): void => {
    if (ts.isCallExpression(node) && node.arguments[0]) {
      const name = calleeName(node)
      const t = titleOf(node.arguments[0])
      if (t && name === 'describe') {
        node.arguments.slice(1).forEach((a) => visit(a, [...describes, t.title]))
        return
      }
      if (t && (name === 'it' || /It$/.test(name))) out.push({ ...t, describes })
    }
    ts.forEachChild(node, (child) => visit(child, describes))
  }
  visit(source, [])
  return out
}

export interface ChecklistMismatch {
  problems: string[]
}

/**
 * Holds a spec to a plan checklist: every checkbox has a check whose title
 * reads as it; every check under the checklist's describe block is one of
 * the plan's checkboxes.
 */
export function compareChecklist(
  checklist: { title: string; spec: string; items: string[] },
  titles: SpecTitle[],
): string[] {
  const problems: string[] = []
  for (const item of checklist.items)
    if (!titles.some((t) => t.pattern.test(item)))
      problems.push(
        `the plan's checkbox "${item}" (${checklist.title}) has no check in ${checklist.spec}`,
      )
  // Plan mode's single check stands in every phase; it is the runbook's, not a checkbox.
  const checks = titles.filter(
    (x) => x.describes.includes(checklist.title) && !x.title.startsWith('plan (MIGRATION_PLAN=1'),
  )
  for (const t of checks)
    if (!checklist.items.some((item) => t.pattern.test(item)))
      problems.push(
        `${checklist.spec}: the check "${t.title}" stands under "${checklist.title}" but the plan has no such checkbox`,
      )
  return problems
}
