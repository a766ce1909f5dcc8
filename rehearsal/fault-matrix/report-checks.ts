import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readSignoffInBrowser, type RenderedCheckbox } from '../../helpers/report/browser-check.ts'
import { PLAN_CHECKLISTS } from '../../helpers/report/plan-checklists.ts'
import type { RunResults } from '../../helpers/report/results.ts'
import { scanForSecrets } from '../../helpers/report/secret-scan.ts'
import { paths } from '../world/state.ts'

/** The secrets of the rehearsal that just ran (read before the next one replaces them). */
export function rehearsalSecrets(): Record<string, string> {
  return JSON.parse(readFileSync(paths.secrets, 'utf8')) as Record<string, string>
}

export function readResults(folder: string): RunResults {
  return JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as RunResults
}

/** Checks the dashboard answers: their evidence is requests, not SSH commands. */
const EXCHANGE_CHECKS = [
  '/ws without credentials answers 401',
  'Login with password + TOTP works',
  'Dashboard shows both hosts online',
  'Can send commands to both hosts',
]

/**
 * What a finished run's report folder must show: signoff.html opens from disk
 * in Chromium with every checkbox of every plan checklist and a status; the
 * page fetches nothing; no file of the folder holds a secret of the run.
 */
export async function reportProblems(
  folder: string,
  secrets: Record<string, string>,
): Promise<{ problems: string[]; checkboxes: RenderedCheckbox[] }> {
  const problems: string[] = []
  const page = await readSignoffInBrowser(folder)
  if (!/^REHEARSAL/.test(page.target)) problems.push(`target banner reads "${page.target}"`)
  for (const l of PLAN_CHECKLISTS)
    for (const item of l.items) {
      const shown = page.checkboxes.find((c) => c.checklist === l.id && c.text === item)
      if (!shown) problems.push(`checkbox "${item}" is missing from the page`)
      else if (!/passed|failed|skipped|not run/.test(shown.status))
        problems.push(`checkbox "${item}" shows no status ("${shown.status}")`)
    }
  // Checks judged over HTTPS or the WebSocket show the exchanges they relied on.
  const results = readResults(folder)
  for (const title of EXCHANGE_CHECKS) {
    const c = results.checks.find((x) => x.title === title)
    if (c?.status === 'passed' && !c.evidence.some((e) => e.kind === 'http' || e.kind === 'ws'))
      problems.push(`"${title}" passed with no HTTP or WebSocket exchange as its evidence`)
  }
  for (const u of page.external) problems.push(`the page fetched ${u}`)
  for (const hit of scanForSecrets(folder, secrets)) problems.push(`secret found: ${hit}`)
  return { problems, checkboxes: page.checkboxes }
}
