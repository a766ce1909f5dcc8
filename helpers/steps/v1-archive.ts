import { HostError } from '../hosts/errors.ts'
import { remotePath } from '../shell/quote.ts'
import type { DashboardStack } from './dashboard-stack.ts'
import { datedListCommand, datedNames } from './dated-names.ts'

/** What plan mode shows for the archive. */
export function archiveCommand(stack: DashboardStack): string {
  const { checkout, archive } = stack.inventory.dashboard
  return `cp -a ${checkout} ${archive.replace('{date}', '$(date +%Y%m%d)')}   # executed plan §1.3 moves it; the runbook copies (v2 is built from this checkout)`
}

/**
 * The executed plan's §1.3, "archive the old nixfleet folder": a copy of the
 * v1 checkout (compose files, .env, the backup) under the archive name with
 * csb1's date. The executed plan moved the folder, then built v2 from the
 * same path it had moved away; the runbook copies it, so the checkout stays
 * where v2 is built from and the rollback finds v1's files. An archive from
 * an earlier run (any date) is kept and not made again; the copy lands under
 * a temporary name first, so a half-made archive never carries the name.
 */
export async function archiveV1Folder(stack: DashboardStack): Promise<string> {
  const { host } = stack
  const { checkout, archive } = stack.inventory.dashboard
  const parent = archive.slice(0, archive.lastIndexOf('/', archive.indexOf('{date}')))
  const leaf = archive.slice(parent.length + 1)
  const listed = await host.run(
    `cd ${remotePath(parent).text} 2>/dev/null && ${datedListCommand(leaf)}`,
    { timeout: '30s' },
  )
  const existing = datedNames(leaf, listed.stdout.split('\n'))
  if (existing.length) return `v1 folder already archived as ${parent}/${existing.at(-1)}`
  const date = (await host.succeed('date +%Y%m%d', { timeout: '30s' })).trim()
  const to = archive.replace('{date}', date)
  const partial = remotePath(`${to}.partial`).text
  const r = await host.run(
    `mkdir -p ${remotePath(parent).text} && rm -rf ${partial} && cp -a ${remotePath(checkout).text} ${partial} && mv ${partial} ${remotePath(to).text}`,
    { timeout: '5m' },
  )
  if (r.exitCode !== 0)
    throw new HostError(
      host.name,
      `archiving ${checkout} as ${to} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ')}`,
    )
  return `v1 folder archived: cp -a ${checkout} ${to}`
}
