import { tail } from '../output/text.ts'
import { formatMs } from '../time/duration.ts'

/** Exit codes an operator should not have to look up. */
export function exitCodeMeaning(code: number | null): string {
  if (code === null) return 'no exit status (connection lost)'
  const known: Record<number, string> = {
    0: 'success',
    1: 'general error',
    2: 'misuse of shell builtin / usage error',
    126: 'command found but not executable',
    127: 'command not found',
    130: 'interrupted (SIGINT)',
    137: 'killed (SIGKILL)',
    143: 'terminated (SIGTERM)',
    255: 'ssh connection error',
  }
  return known[code] ?? (code > 128 ? `killed by signal ${code - 128}` : 'failure')
}

export class HostError extends Error {
  override name = 'HostError'
  constructor(
    readonly host: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${host}: ${message}`, options)
  }
}

/** The reboot was issued, but the host did not come back over SSH in time (its services may have). */
export class RebootWaitError extends HostError {
  override name = 'RebootWaitError'
}

export class CommandFailedError extends HostError {
  override name = 'CommandFailedError'
  constructor(
    host: string,
    readonly command: string,
    readonly exitCode: number | null,
    stderr: string,
    stdout = '',
  ) {
    const detail = tail(stderr) || tail(stdout)
    // sudo -n refuses at once instead of prompting: say so plainly, it is a set-up problem.
    const sudo = /sudo: (a password is required|a terminal is required)/.test(stderr)
      ? `sudo needs a password on ${host} (sudo -n refused; the runbook never types one): `
      : ''
    super(
      host,
      `${sudo}command failed with exit code ${String(exitCode)} (${exitCodeMeaning(exitCode)}): ${command}` +
        (detail ? `\n${detail}` : ''),
    )
  }
}

/** A step needs sudo on a host whose sudo asks for a password (the inventory says so): refused before anything runs. */
export class SudoNeedsPasswordError extends HostError {
  override name = 'SudoNeedsPasswordError'
  constructor(host: string, what: string) {
    super(
      host,
      `sudo needs a password on ${host} (inventory: sudo: password; the runbook never types one): ${what} was not done. ` +
        'Do it by hand, or give the fleet user passwordless sudo and set sudo: passwordless',
    )
  }
}

export class CommandTimeoutError extends HostError {
  override name = 'CommandTimeoutError'
  constructor(
    host: string,
    readonly command: string,
    timeoutMs: number,
  ) {
    super(
      host,
      `command exceeded its deadline of ${formatMs(timeoutMs)} and was stopped: ${command}`,
    )
  }
}

export class ConnectionLostError extends HostError {
  override name = 'ConnectionLostError'
  constructor(
    host: string,
    readonly command: string,
  ) {
    super(host, `connection lost while running: ${command}`)
  }
}

export class ConnectError extends HostError {
  override name = 'ConnectError'
}

export class HostKeyError extends ConnectError {
  override name = 'HostKeyError'
}
