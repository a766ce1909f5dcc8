/** The one thing a backend must do: run a shell command on a host, within a deadline. */
export interface ExecOptions {
  timeoutMs: number
  stdin?: string
}

export interface ExecResult {
  /** null when the channel closed without an exit status (connection lost). */
  exitCode: number | null
  stdout: string
  stderr: string
  durationMs: number
}

export interface Transport {
  /** How messages name this host (inventory name). */
  readonly hostName: string
  exec(command: string, opts: ExecOptions): Promise<ExecResult>
  /** The TCP port the connection reaches on the host (SSH: as OpenSSH resolves the target). */
  port?(): number
  /** Forget the current connection (after a reboot); the next exec reconnects. */
  reset(): Promise<void>
  close(): Promise<void>
}
