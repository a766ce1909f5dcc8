import { execFileSync, spawnSync } from 'node:child_process'
import { say } from '../output/say.ts'
import type { World } from './world.ts'

/**
 * The rehearsal's fault catalog. A fault makes one condition false on one
 * simulated host so that the check watching that condition can be seen to
 * fail. Selected per run with REHEARSAL_FAULTS=name:host[,name:host…].
 */
export const FAULTS = {
  'host-unreachable': 'the host is cut off the network: SSH to it fails to connect',
  'rebuild-fails': 'nixos-rebuild / home-manager switch fails with a build error',
  'unit-no-return': 'after the next reboot the agent does not start again (it fails at start)',
  'no-return-from-reboot': 'the host never comes back after a reboot',
  'wrong-host-key': 'the host presents a host key that is not the one in known_hosts',
} as const

export type FaultName = keyof typeof FAULTS
export interface FaultSpec {
  name: FaultName
  host: string
}

export function parseFaults(text: string | undefined, world: World): FaultSpec[] {
  if (!text?.trim()) return []
  return text.split(',').map((item) => {
    const [name, host] = item.trim().split(':')
    if (!name || !(name in FAULTS)) {
      throw new Error(
        `REHEARSAL_FAULTS: unknown fault "${name ?? ''}" (known: ${Object.keys(FAULTS).join(', ')})`,
      )
    }
    if (!host || !world.machines[host]) {
      throw new Error(
        `REHEARSAL_FAULTS: fault ${name} needs a simulated host, e.g. ${name}:gpc0 (got "${host ?? ''}")`,
      )
    }
    return { name: name as FaultName, host }
  })
}

const container = (host: string): string => `rehearsal-${host}`
const exec = (host: string, script: string): void =>
  void execFileSync('docker', ['exec', container(host), 'sh', '-c', script])

export function applyFault(world: World, f: FaultSpec): void {
  switch (f.name) {
    case 'host-unreachable':
      spawnSync('docker', ['network', 'disconnect', '--force', world.network, container(f.host)], {
        stdio: 'ignore',
      })
      break
    case 'rebuild-fails':
      exec(f.host, 'touch /etc/runbook-sim/faults/rebuild-fails')
      break
    case 'unit-no-return':
      // Armed for this boot: the agent keeps running now and refuses to start in any later boot.
      exec(f.host, "cut -d' ' -f22 /proc/1/stat > /etc/runbook-sim/faults/unit-no-return")
      break
    case 'no-return-from-reboot':
      execFileSync('docker', ['update', '--restart=no', container(f.host)])
      break
    case 'wrong-host-key':
      // The marker keeps the next boot's provisioning from restoring the key on record.
      exec(
        f.host,
        'touch /etc/runbook-sim/faults/wrong-host-key && rm -f /etc/ssh/ssh_host_ed25519_key* && ' +
          'ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key && systemctl restart ssh',
      )
      break
  }
  say(`rehearsal fault applied: ${f.name} on ${f.host} (${FAULTS[f.name]})`)
}

/** Undoes a fault, so a long-lived fleet (or the next test) starts clean again. */
export function revertFault(world: World, f: FaultSpec): void {
  const m = world.machines[f.host]
  switch (f.name) {
    case 'host-unreachable':
      execFileSync('docker', [
        'network',
        'connect',
        ...(m?.aliases ?? []).flatMap((a) => ['--alias', a]),
        world.network,
        container(f.host),
      ])
      break
    case 'rebuild-fails':
    case 'unit-no-return':
      exec(f.host, `rm -f /etc/runbook-sim/faults/${f.name}`)
      break
    case 'no-return-from-reboot':
      execFileSync('docker', ['update', '--restart=unless-stopped', container(f.host)])
      spawnSync('docker', ['start', container(f.host)], { stdio: 'ignore' })
      break
    case 'wrong-host-key':
      // Provisioning writes the key on record again.
      exec(
        f.host,
        'rm -f /etc/runbook-sim/faults/wrong-host-key && systemctl restart runbook-provision ssh',
      )
      break
  }
}

export async function applyFaults(world: World, faults: FaultSpec[]): Promise<void> {
  for (const f of faults) applyFault(world, f)
  await Promise.resolve()
}
