/** Requests the simulated launchctl sends to the simulated launchd over a Unix socket. */
export const LAUNCHD_SOCKET = '/run/launchd-sim.sock'

export type LaunchdRequest =
  /**
   * `launchctl list` lists the caller's session domain: from an SSH session
   * that is not the user's GUI (Aqua) session, whose jobs it does not show.
   */
  | { op: 'list'; uid: number; label?: string; session: 'ssh' | 'gui' }
  | { op: 'print'; uid: number; label: string }
  | { op: 'bootstrap'; uid: number; path: string }
  | { op: 'bootout'; uid: number; label?: string; path?: string }
  | { op: 'kickstart'; uid: number; label: string; kill: boolean }

export interface LaunchdResponse {
  exitCode: number
  stdout?: string
  stderr?: string
}
