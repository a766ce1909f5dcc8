import { GenericContainer, Wait } from 'testcontainers'

// No registry is reachable: Ryuk (testcontainers' reaper) cannot be pulled, and the
// rehearsal fleet is meant to outlive the process anyway (fleet:down removes it).
process.env.TESTCONTAINERS_RYUK_DISABLED = 'true'

/**
 * What Docker inside a container (csb1, and the one-off container building its
 * seed) needs besides SYS_ADMIN, verified on this machine.
 */
export const INNER_DOCKER = {
  capabilities: [
    'NET_ADMIN',
    'NET_RAW',
    'SYS_PTRACE',
    'MKNOD',
    'SYS_CHROOT',
    'SETFCAP',
    'DAC_READ_SEARCH',
    'IPC_LOCK',
    'SYS_NICE',
  ],
  securityOpts: ['seccomp=unconfined', 'apparmor=unconfined'],
}

/**
 * A container that boots like a machine: systemd as PID 1, and a restart
 * policy so that `systemctl reboot` inside (PID 1 exits) is followed by a real
 * boot. testcontainers has no builder for the policy, hence the subclass
 * (verified on this engine, see the architecture notes). `--privileged` is not
 * available here; the capabilities systemd needs are added one by one.
 */
export class SystemdContainer extends GenericContainer {
  /**
   * dockerEngine: the directory (on this machine's disk) that holds the inner
   * engine's /var/lib/docker. On a real filesystem the inner engine can use
   * overlay2; on the container's own overlay it would be limited to vfs,
   * which copies a whole image for every layer and container.
   */
  constructor(
    image: string,
    opts: {
      tmpTmpfs?: boolean
      dockerEngine?: string
      cpuShares?: number
      firewall?: boolean
    } = {},
  ) {
    super(image)
    this.withAddedCapabilities('SYS_ADMIN')
      .withBindMounts([{ source: '/sys/fs/cgroup', target: '/sys/fs/cgroup', mode: 'rw' }])
      .withTmpFs({
        '/run': 'rw,exec,mode=755',
        '/run/lock': 'rw',
        ...(opts.tmpTmpfs ? { '/tmp': 'rw,exec,mode=1777' } : {}),
      })
      .withLabels({ 'runbook.rehearsal': '1' })
      // Running is enough here: a machine is judged ready over SSH once it has
      // booted. testcontainers' port checks exec into the container ten times a
      // second, which on two cores slowed every other machine's boot.
      .withWaitStrategy(Wait.forAll([]))
    // A NixOS machine applies its configuration's firewall at boot, in its own network namespace.
    if (opts.firewall) this.withAddedCapabilities('NET_ADMIN')
    if (opts.dockerEngine) {
      // Docker inside the container (csb1), with the capability set verified on this machine.
      this.withAddedCapabilities(...INNER_DOCKER.capabilities)
        .withSecurityOpt(...INNER_DOCKER.securityOpts)
        .withBindMounts([
          { source: '/sys/fs/cgroup', target: '/sys/fs/cgroup', mode: 'rw' },
          { source: opts.dockerEngine, target: '/var/lib/docker', mode: 'rw' },
        ])
    }
    this.hostConfig.RestartPolicy = { Name: 'unless-stopped', MaximumRetryCount: 0 }
    // Relative CPU weight when the machines compete for the cores (1024 is Docker's default).
    if (opts.cpuShares) this.hostConfig.CpuShares = opts.cpuShares
    // In the sealed network no name outside the rehearsal resolves; Docker's DNS would take
    // 20 s to give up on one (its upstream is unreachable), so a lookup gives up after 1 s.
    this.hostConfig.DnsOptions = ['timeout:1', 'attempts:1']
    // The host's cgroup namespace, as verified with systemd on this engine.
    ;(this.hostConfig as { CgroupnsMode?: string }).CgroupnsMode = 'host'
  }

  private network: string | undefined
  private aliases: string[] = []

  /**
   * The machine is created on the rehearsal's network only, with its names
   * there. testcontainers creates a container with aliases on Docker's default
   * bridge and connects the network afterwards, which left every machine a
   * second interface, and a default route, on the default bridge: a way out of
   * the sealed rehearsal network.
   */
  override withNetworkMode(networkMode: string): this {
    this.network = networkMode
    this.applyNetwork()
    return super.withNetworkMode(networkMode)
  }

  override withNetworkAliases(...networkAliases: string[]): this {
    this.aliases.push(...networkAliases)
    this.applyNetwork()
    return this
  }

  private applyNetwork(): void {
    if (!this.network) return
    ;(this.createOpts as { NetworkingConfig?: unknown }).NetworkingConfig = {
      EndpointsConfig: { [this.network]: { Aliases: [...this.aliases] } },
    }
  }

  /**
   * Publishes ports on 127.0.0.1 only. testcontainers binds every interface,
   * which would open the simulated machines' sshd, the git server (push
   * enabled) and the TLS front to the machine's whole network.
   */
  withLoopbackPorts(...ports: { container: number; host: number }[]): this {
    this.withExposedPorts(...ports)
    const config = this.hostConfig as {
      PortBindings?: Record<string, { HostIp?: string; HostPort: string }[]>
    }
    for (const p of ports)
      config.PortBindings = {
        ...config.PortBindings,
        [`${p.container}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(p.host) }],
      }
    return this
  }
}
