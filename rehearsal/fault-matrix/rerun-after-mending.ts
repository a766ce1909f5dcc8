import { execFileSync } from 'node:child_process'
import { expect } from 'vitest'
import { parseFaults, revertFault } from '../world/faults.ts'
import { remoteHead } from '../world/remote-head.ts'
import { loadWorld } from '../world/world.ts'
import { runRunbook, type RunbookRun } from './run-runbook.ts'
import type { Scenario } from './scenarios.ts'
import { commands, switches } from './transcript-commands.ts'

/**
 * The operator's next step after a phase 1 that failed on some hosts after
 * its commit: the hosts mended (the scenario's faults reverted on the same
 * fleet) and the phase run again. The re-run must continue where the first
 * stopped: every check passes, no new commit, only the hosts that failed are
 * switched, v1 is not stopped, backed up or archived a second time.
 *
 * Mending takes time: the re-run is made as on the next day, its backup and
 * archive dated the day before (a real resume often is; a CI run crossing
 * midnight is too), so the runbook must recognise them by content, not by
 * today's name.
 */
export async function rerunAfterMending(s: Scenario, first: RunbookRun): Promise<RunbookRun> {
  const failedHosts = [...first.checks.values()]
    .filter((c) => c.status === 'failed')
    .map((c) => /^(\S+): v1 agent stopped$/.exec(c.title)?.[1])
    .filter((h): h is string => Boolean(h))
    .sort()
  expect(failedHosts.length, `${s.id}: the first run failed no host's agent check`).toBeGreaterThan(
    0,
  )
  const pushed = remoteHead('nixcfg')
  const world = loadWorld()
  for (const f of parseFaults(s.faults, world)) revertFault(world, f)
  const backdated = backdateV1Files()
  const yesterdays = /-> \S*\/(nixfleet\.db\.v1-backup-\d{8})$/m.exec(backdated)?.[1]
  expect(yesterdays, `the first run left no dated v1 backup on csb1: ${backdated}`).toBeDefined()

  const again = await runRunbook({
    specs: s.specs,
    env: { REHEARSAL_KEEP: '1' },
    timeoutMs: s.timeoutMs,
  })
  const tail = again.output.slice(-3000)
  expect(again.output).toMatch(/rehearsal: attaching to the fleet/)
  const notPassed = [...again.checks.values()].filter((c) => c.status !== 'passed')
  expect(
    notPassed.map((c) => `${c.title}: ${c.status} ${c.failure.slice(0, 300)}`),
    tail,
  ).toEqual([])
  expect(again.checks.size, tail).toBeGreaterThan(0)
  expect(remoteHead('nixcfg'), 'the re-run must not make a new commit').toBe(pushed)
  const local = commands(again).filter((e) => e.host === 'local')
  expect(local.filter((e) => /git .*(commit|push)/.test(e.command))).toEqual([])
  expect(switches(again), 'only the hosts the first run did not switch').toEqual(failedHosts)
  // No second stop, backup or archive: v1 is stopped, its backup verified, its folder archived.
  const csb1 = commands(again).filter((e) => e.host === 'csb1')
  expect(
    csb1.filter((e) => /docker stop|\.backup\(|cp -a /.test(e.command)).map((e) => e.command),
  ).toEqual([])
  expect(again.output).toMatch(
    new RegExp(
      `${yesterdays?.replace(/\./g, '\\.')} already holds .* \\(integrity ok, row counts equal\\): not backed up again`,
    ),
  )
  return again
}

/**
 * Renames csb1's dated v1 backup and archive to the day before their date, as
 * if made yesterday; returns what was renamed (`old -> new` per line).
 */
function backdateV1Files(): string {
  const script = `set -eu
cd ~/docker
for f in nixfleet/data/nixfleet.db.v1-backup-* '!archiv'/nixfleet-v1-*; do
  [ -e "$f" ] || continue
  d=$(printf %s "$f" | grep -o '[0-9]\\{8\\}$') || continue
  to="\${f%$d}$(date -d "$d -1 day" +%Y%m%d)"
  mv -n -- "$f" "$to"
  echo "$f -> $to"
done`
  return execFileSync('docker', ['exec', '-u', 'mba', 'rehearsal-csb1', 'sh', '-c', script], {
    encoding: 'utf8',
  })
}
