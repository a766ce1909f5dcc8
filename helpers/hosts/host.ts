import {
  CommandFailedError,
  CommandTimeoutError,
  ConnectError,
  ConnectionLostError,
  HostError,
  RebootWaitError,
} from './errors.ts'
import type { ExecResult, Transport } from './transport.ts'
import type { Transcript } from '../transcript/transcript.ts'
import { poll } from '../wait/poll.ts'
import { sh } from '../shell/quote.ts'
import { formatMs, MINUTE, SECOND, toMs, type Duration } from '../time/duration.ts'
import { progress } from '../output/say.ts'

const PROGRESS_EVERY_MS = 20_000

export interface RunOptions {
  timeout?: Duration
  stdin?: string
  /** Keep stdout out of the transcript (file contents fetched for a check): only its size is recorded. */
  unrecordedStdout?: boolean
}

export const DEFAULT_COMMAND_TIMEOUT: Duration = '2m'

/**
 * A machine of the fleet, reached through a transport. Every verb is written
 * once here, on top of `exec`, and every command lands in the transcript.
 */
export class Host {
  constructor(
    readonly name: string,
    readonly transport: Transport,
    private readonly transcript?: Transcript,
  ) {}

  /** Runs a command and returns its result, whatever the exit code. */
  async run(command: string, opts: RunOptions = {}): Promise<ExecResult> {
    const timeoutMs = toMs(opts.timeout ?? DEFAULT_COMMAND_TIMEOUT)
    // Journalled before it runs: an interrupted run still shows what was in flight.
    const id = this.transcript?.started(this.name, command)
    const started = Date.now()
    // A long command (a rebuild, a compose build) says it is still running and how long it may take.
    const ticker = setInterval(() => {
      const left = timeoutMs - (Date.now() - started)
      progress(
        `${this.name}: still running after ${formatMs(Date.now() - started)} (${formatMs(left)} left): ${command}`,
      )
    }, PROGRESS_EVERY_MS)
    ticker.unref()
    try {
      const result = await this.transport.exec(command, {
        timeoutMs,
        ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
      })
      this.transcript?.record({
        host: this.name,
        command,
        exitCode: result.exitCode,
        durationMs: result.durationMs,
        outcome: 'exit',
        ...(id ? { id } : {}),
        stdout: opts.unrecordedStdout
          ? `(${result.stdout.length} characters, not recorded)`
          : result.stdout,
        stderr: result.stderr,
      })
      return result
    } catch (err) {
      const outcome =
        err instanceof CommandTimeoutError
          ? 'timeout'
          : err instanceof ConnectionLostError
            ? 'connection-lost'
            : 'connect-failed'
      this.transcript?.record({
        host: this.name,
        command,
        exitCode: null,
        durationMs: Date.now() - started,
        outcome,
        ...(id ? { id } : {}),
        stderr: (err as Error).message,
      })
      throw err
    } finally {
      clearInterval(ticker)
    }
  }

  /** Runs a command that must exit 0; returns stdout. Throws with host, command, exit code and stderr. */
  async succeed(command: string, opts: RunOptions = {}): Promise<string> {
    const r = await this.run(command, opts)
    if (r.exitCode !== 0)
      throw new CommandFailedError(this.name, command, r.exitCode, r.stderr, r.stdout)
    return r.stdout
  }

  /** Runs a command that must NOT exit 0; returns its result. */
  async fail(command: string, opts: RunOptions = {}): Promise<ExecResult> {
    const r = await this.run(command, opts)
    if (r.exitCode === 0)
      throw new HostError(this.name, `command was expected to fail but succeeded: ${command}`)
    return r
  }

  /** Retries a command until it exits 0 or the deadline passes; each attempt gets only the time left. */
  async waitUntilSucceeds(
    command: string,
    opts: { timeout: Duration; interval?: Duration },
  ): Promise<string> {
    return poll(
      `${this.name}: \`${command}\` succeeds`,
      ({ remainingMs }) => this.succeed(command, { timeout: Math.max(remainingMs, SECOND) }),
      { timeout: opts.timeout, interval: opts.interval ?? '2s' },
    )
  }

  /**
   * Reboots and proves it: reads the boot identity, fires the reboot without
   * waiting for it (the session dies with the host), drops the connection,
   * then reconnects with fresh connections until the identity differs.
   */
  async reboot(opts: {
    command: string
    bootIdentity: (h: Host) => Promise<string>
    timeout?: Duration
  }): Promise<{ before: string; after: string; tookMs: number }> {
    const started = Date.now()
    const before = await opts.bootIdentity(this)
    // The reboot runs detached, where a refused sudo would go unseen: prove sudo works first.
    if (/^sudo -n\b/.test(opts.command)) await this.succeed('sudo -n true', { timeout: '20s' })
    // Detached, so the command returns before the host goes down.
    await this.run(sh`nohup sh -c ${`sleep 1; ${opts.command}`} >/dev/null 2>&1 &`, {
      timeout: '20s',
    }).catch((err: unknown) => {
      if (!(err instanceof ConnectionLostError)) throw err
    })
    await this.transport.reset()
    const after = await this.newBoot(before, opts.bootIdentity, opts.timeout ?? 5 * MINUTE).catch(
      (err: unknown) => {
        throw new RebootWaitError(
          this.name,
          `the reboot was issued, but the host did not come back over SSH: ${(err as Error).message}`,
          { cause: err },
        )
      },
    )
    return { before, after, tookMs: Date.now() - started }
  }

  /**
   * Waits for a boot other than `before`, reconnecting with fresh connections
   * while the host is down; returns the new boot identity.
   */
  async newBoot(
    before: string,
    bootIdentity: (h: Host) => Promise<string>,
    timeout: Duration,
  ): Promise<string> {
    return poll(
      `${this.name}: back from reboot with a new boot identity`,
      async () => {
        try {
          const id = await bootIdentity(this)
          if (id === before)
            throw new HostError(this.name, 'still the same boot (reboot not happened yet)')
          return id
        } catch (err) {
          if (err instanceof ConnectError || err instanceof ConnectionLostError)
            await this.transport.reset()
          throw err
        }
      },
      { timeout, interval: '2s' },
    )
  }

  async close(): Promise<void> {
    await this.transport.close()
  }
}
