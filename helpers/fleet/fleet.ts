import type { Target } from '../config/target.ts'
import { HostError } from '../hosts/errors.ts'
import { Host } from '../hosts/host.ts'
import { hostByName, type HostSpec, type Inventory } from '../inventory/load-inventory.ts'
import { osAdapterFor } from '../os/registry.ts'
import type { OsAdapter } from '../os/os-adapter.ts'
import { say } from '../output/say.ts'
import { SshTransport } from '../ssh/ssh-transport.ts'
import type { Transcript } from '../transcript/transcript.ts'

/** A host of the inventory, with the means to reach it and to read its OS. */
export interface FleetHost {
  spec: HostSpec
  host: Host
  os: OsAdapter
}

/** How this run reaches machines; only the SSH files differ between targets. */
export interface SshSettings {
  /** ssh_config to resolve the plan's names (default: the operator's ~/.ssh/config). */
  configFile?: string
  /** Pinned known_hosts (default: UserKnownHostsFile from ssh_config). */
  knownHostsFiles?: string[]
}

export interface Fleet {
  target: Target
  inventory: Inventory
  hosts: FleetHost[]
  get(name: string): FleetHost
  close(): Promise<void>
}

export function openFleet(opts: {
  target: Target
  inventory: Inventory
  ssh: SshSettings
  transcript?: Transcript
}): Fleet {
  const hosts = opts.inventory.hosts.map((spec) => {
    const transport = new SshTransport({
      hostName: spec.name,
      target: spec.ssh.target,
      ...(spec.ssh.port ? { port: spec.ssh.port } : {}),
      ...(opts.ssh.configFile ? { configFile: opts.ssh.configFile } : {}),
      ...(opts.ssh.knownHostsFiles ? { knownHostsFiles: opts.ssh.knownHostsFiles } : {}),
      // Never trust on first use against real machines.
      unknownHostKey: 'refuse',
      onWarning: say,
    })
    return { spec, host: new Host(spec.name, transport, opts.transcript), os: osAdapterFor(spec) }
  })
  return {
    target: opts.target,
    inventory: opts.inventory,
    hosts,
    get(name) {
      hostByName(opts.inventory, name)
      return hosts.find((h) => h.spec.name === name) as FleetHost
    },
    async close() {
      await Promise.all(hosts.map((h) => h.host.close()))
    },
  }
}

/**
 * The inventory says what a host is; the host is asked too. Acting on a Mac
 * with NixOS commands (a wrong alias in ssh_config) must stop before any change.
 */
export async function verifyOs(h: FleetHost): Promise<void> {
  const kernel = (await h.host.succeed('uname -s', { timeout: '30s' })).trim()
  if (kernel !== h.os.unameKernel) {
    throw new HostError(
      h.spec.name,
      `inventory says os: ${h.spec.os}, but the machine reached as ${h.spec.ssh.target} reports uname -s = ${kernel}`,
    )
  }
}
