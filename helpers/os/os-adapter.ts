import type { Host } from '../hosts/host.ts'
import type { HostSpec } from '../inventory/load-inventory.ts'
import type { Duration } from '../time/duration.ts'

/** Agent state as the host's service manager reports it. */
export interface AgentState {
  /** The service/job is defined on the host at all. */
  present: boolean
  running: boolean
  /** The raw words the host used (systemd states, launchctl columns), for evidence. */
  detail: string
}

/** A yes/no read from a host, with the host's own words as evidence. */
export interface Judged {
  ok: boolean
  detail: string
}

/** A host's configuration in the nixcfg flake: `nixosConfigurations.<attr>` or `homeConfigurations.<attr>`. */
export interface FlakeOutput {
  kind: 'nixos' | 'home'
  attr: string
}

/**
 * Everything that differs between kinds of machine, so steps and checks
 * never branch on the OS themselves. One adapter per inventory `os`, chosen
 * from the registry (`registry.ts`); adding a host OS means adding an
 * adapter there and nothing else.
 */
export interface OsAdapter {
  readonly kind: HostSpec['os']
  /** `uname -s` on this OS. */
  readonly unameKernel: string
  /** Changes on every boot, real or (in rehearsal) container restart. */
  bootIdentity(host: Host): Promise<string>
  readonly rebootCommand: string
  /** The plan's switch command for this host (`nixos-rebuild`, `home-manager`). */
  switchCommand(spec: HostSpec): string
  /** The flake output the switch builds (what evaluating the host means). */
  flakeOutput(spec: HostSpec): FlakeOutput
  agentState(host: Host): Promise<AgentState>
  /** "Stopped" as the plan's verify command for this OS reads it (ok = stopped). */
  agentStopped(host: Host): Promise<Judged>
  /** Waits until the agent runs and stays up; ends early on a crash loop or a missing agent. */
  waitForAgent(host: Host, timeout: Duration): Promise<void>
  /** Recent agent log lines, where this OS keeps them (every start kept in them). */
  agentLog(host: Host, lines?: number): Promise<string>
  /** The log the agent writes in this boot (where a connection is announced). */
  agentLogThisBoot(host: Host, lines: number): Promise<string>
  /** Whether the agent is set up to come back after a reboot, read without rebooting. */
  agentComesBack(host: Host): Promise<Judged>
  /** The agent's configuration as its unit or job gives it (where NIXFLEET_URL is set). */
  agentConfiguration(host: Host): Promise<string>
}
