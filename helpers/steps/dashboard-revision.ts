import { readFileSync } from 'node:fs'
import { targetAccess } from '../config/target-access.ts'
import type { Target } from '../config/target.ts'
import { HostError } from '../hosts/errors.ts'
import { sh } from '../shell/quote.ts'
import type { DashboardStack } from './dashboard-stack.ts'

/**
 * The commit csb1 checks out for the dashboard's pin: the real revision in
 * production; in a rehearsal, the fixture commit standing in for it (its
 * remote cannot hold real hashes). An unknown revision is refused, named.
 */
export function commitFor(target: Target, revision: string): string {
  const file = targetAccess(target).nixfleetStandIns
  if (!file) return revision
  const map = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>
  const commit = map[revision]
  if (!commit)
    throw new Error(
      `dashboard.revision ${revision}: the rehearsal's nixfleet remote has no commit standing in for it (it models ${Object.keys(map).length} real revisions; ${file})`,
    )
  return commit
}

/** What plan mode shows. */
export function checkoutCommands(stack: DashboardStack): string[] {
  const rev = stack.inventory.dashboard.revision
  return [
    stack.inCheckout('git fetch origin'),
    stack.inCheckout(
      `git checkout --detach ${rev}   # the dashboard's pin; plan: git pull (whatever main is)`,
    ),
  ]
}

/**
 * Plan §2.3 says `git pull`, which builds whatever main holds that minute.
 * The runbook checks out the dashboard's pinned revision instead, detached:
 * fetched first, refused (nothing changed) when the commit is unknown to the
 * remote or the checkout has local changes to tracked files, and verified
 * after: HEAD is the commit and v2/Dockerfile is there.
 */
export async function checkOutDashboardRevision(
  stack: DashboardStack,
  target: Target,
): Promise<{ revision: string; commit: string; from: string; note: string }> {
  const { host } = stack
  const revision = stack.inventory.dashboard.revision
  const commit = commitFor(target, revision)
  const shown =
    commit === revision ? revision : `${revision} (rehearsal stand-in ${commit.slice(0, 12)})`
  const from = (
    await host.succeed(stack.inCheckout('git rev-parse HEAD'), { timeout: '30s' })
  ).trim()
  const dirty = await stack.checkoutChanges()
  if (dirty)
    throw new HostError(
      host.name,
      `${stack.checkout} has local changes git checkout would refuse or lose: ${dirty}; nothing was deployed`,
    )
  await host.succeed(stack.inCheckout('git fetch --quiet origin 2>&1'), { timeout: '5m' })
  const known = await host.run(stack.inCheckout(sh`git cat-file -e ${`${commit}^{commit}`}`), {
    timeout: '30s',
  })
  if (known.exitCode !== 0)
    throw new HostError(
      host.name,
      `nixfleet ${shown} is not a commit of ${stack.checkout}'s remote (fetched just now): check dashboard.revision; nothing was deployed`,
    )
  if (from !== commit)
    await host.succeed(
      stack.inCheckout(
        sh`git -c advice.detachedHead=false checkout --quiet --detach ${commit} 2>&1`,
      ),
      {
        timeout: '2m',
      },
    )
  const head = (
    await host.succeed(stack.inCheckout('git rev-parse HEAD'), { timeout: '30s' })
  ).trim()
  if (head !== commit)
    throw new HostError(host.name, `${stack.checkout} is at ${head} after checking out ${shown}`)
  const dockerfile = await host.run(stack.inCheckout('test -f v2/Dockerfile'), { timeout: '30s' })
  if (dockerfile.exitCode !== 0)
    throw new HostError(
      host.name,
      `nixfleet ${shown} has no v2/Dockerfile: it is not a v2 revision; nothing was built`,
    )
  return {
    revision,
    commit,
    from,
    note:
      from === commit
        ? `${stack.checkout} already at nixfleet ${shown}`
        : `${stack.checkout}: git checkout --detach ${shown} (from ${from.slice(0, 12)})`,
  }
}
