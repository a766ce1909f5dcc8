import type { Host } from '../hosts/host.ts'

/** Agent state as the plan's verification commands see it. */
export interface AgentState {
  /** The service/job is defined on the host at all. */
  present: boolean
  running: boolean
  /** The raw words the host used (systemd states, launchctl columns), for evidence. */
  detail: string
}

/** How each kind of machine is read and driven; the checks never branch on OS themselves. */
export interface OsAdapter {
  readonly kind: 'nixos' | 'macos'
  /** `uname -s` on this OS. */
  readonly unameKernel: string
  /** Changes on every boot, real or (in rehearsal) container restart. */
  bootIdentity(host: Host): Promise<string>
  readonly rebootCommand: string
  agentState(host: Host): Promise<AgentState>
  /** Recent agent log lines, where this OS keeps them. */
  agentLog(host: Host, lines?: number): Promise<string>
}
