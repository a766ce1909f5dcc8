/**
 * Simulated NixOS boot step: applies the firewall of the system generation
 * the machine booted (the profile's current one), in this container's own
 * network namespace. Only at boot: on the migration day csb1's SSH broke
 * at its reboot, not at the switches before it. The machine's first boot in
 * a rehearsal stands for one long before the day, so nothing is applied then
 * (provisioning marks that boot). A machine started from a rehearsal snapshot
 * resumes as it was saved (provisioning marks that start too): the rules in
 * effect when it was saved are put back, not those of its generation.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Firewall } from '../lib/evaluate.ts'
import { firewallCommands, FIREWALL_FILE } from './firewall-rules.ts'

const SYSTEM = '/nix/var/nix/profiles/system'
const FIRST_BOOT = '/run/runbook-sim/first-boot'
const RESUMED = '/run/runbook-sim/resumed'
/** The rules this machine has in effect (JSON; null: none), kept on its disk for a resume. */
const IN_EFFECT = '/etc/runbook-sim/firewall-in-effect.json'

const readFirewall = (file: string): Firewall | null =>
  existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Firewall | null) : null

function main(): number {
  if (existsSync(FIRST_BOOT)) {
    writeFileSync(IN_EFFECT, 'null\n')
    console.log('first boot of this machine in the rehearsal: no firewall rules applied')
    return 0
  }
  const resumed = existsSync(RESUMED)
  const fw = resumed ? readFirewall(IN_EFFECT) : readFirewall(join(SYSTEM, FIREWALL_FILE))
  if (resumed && !fw) {
    console.log('resumed from a rehearsal snapshot: no firewall rules were in effect')
    return 0
  }
  if (!resumed) writeFileSync(IN_EFFECT, JSON.stringify(fw) + '\n')
  let failed = 0
  for (const [i, args] of firewallCommands(fw).entries()) {
    const r = spawnSync('iptables', ['-w', ...args], { encoding: 'utf8' })
    // The first three clear a chain that may not exist yet; the rest must succeed.
    if (r.status !== 0 && i >= 3) {
      console.error(`iptables ${args.join(' ')}: ${r.stderr.trim()}`)
      failed++
    }
  }
  console.log(
    fw?.enable
      ? `firewall: TCP ${[...fw.tcp, ...fw.ranges.map((r) => `${r.from}-${r.to}`)].join(', ') || '(none)'} allowed, other TCP refused`
      : 'firewall: disabled',
  )
  return failed ? 1 : 0
}

process.exitCode = main()
