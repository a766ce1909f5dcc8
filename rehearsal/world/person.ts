/**
 * The rehearsal's simulated person: does a person's step that the runbook
 * asked for, as someone at the machine would, so that path runs in every
 * rehearsal. `person <host> <step>`, started detached by the runbook (the
 * target's `person.command`); what it does is appended to person.log in the
 * rehearsal's state directory.
 *
 * restart-and-log-in: after a moment, restarts the Mac (the Apple menu's
 * Restart is a clean shutdown: systemctl reboot), waits until it sits at the
 * FileVault unlock screen of the new boot, then logs in. With the fault
 * `person-never-logs-in` on the host, the person restarts it and walks away.
 */
import { spawnSync } from 'node:child_process'
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { paths } from './state.ts'

const [host, step] = process.argv.slice(2)
const container = `rehearsal-${host ?? ''}`
const log = (m: string): void =>
  appendFileSync(join(paths.dir, 'person.log'), `${new Date().toISOString()} ${host}: ${m}\n`)
const inHost = (script: string): { ok: boolean; out: string } => {
  const r = spawnSync('docker', ['exec', container, 'sh', '-c', script], { encoding: 'utf8' })
  return { ok: r.status === 0, out: (r.stdout ?? '').trim() }
}
const sleep = (ms: number): void => void spawnSync('sleep', [String(ms / 1000)])
/** When the machine last booted: its container's start (the kernel's boot id is this host's, shared). */
const bootedAt = (): string =>
  (
    spawnSync('docker', ['inspect', '-f', '{{.State.StartedAt}}', container], {
      encoding: 'utf8',
    }).stdout ?? ''
  ).trim()

function restartAndLogIn(): number {
  sleep(2000)
  const walksAway = inHost('test -e /etc/runbook-sim/faults/person-never-logs-in').ok
  const before = bootedAt()
  log('restarts the Mac (Apple menu, Restart)')
  inHost('systemctl reboot')
  // The new boot stops at the unlock screen: the FileVault unit waits for a login.
  const deadline = Date.now() + 180_000
  while (Date.now() < deadline) {
    const atScreen =
      bootedAt() !== before &&
      inHost('[ "$(systemctl is-active runbook-filevault)" = activating ]').ok
    if (atScreen) break
    sleep(1000)
  }
  if (Date.now() >= deadline) {
    log('the Mac did not reach the unlock screen within 3 min')
    return 1
  }
  if (walksAway) {
    log(
      'sees the FileVault unlock screen and walks away without logging in (fault person-never-logs-in)',
    )
    return 0
  }
  sleep(3000)
  inHost('mkdir -p /run/runbook-sim && touch /run/runbook-sim/logged-in')
  log('logged in at the FileVault unlock screen')
  return 0
}

if (step === 'restart-and-log-in') process.exitCode = restartAndLogIn()
else {
  log(`does not know the step "${step ?? ''}"`)
  process.exitCode = 2
}
