import { NodeSSH, type Config } from 'node-ssh'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { Duplex } from 'node:stream'
import type { ClientChannel } from 'ssh2'
import {
  ConnectError,
  ConnectionLostError,
  CommandTimeoutError,
  HostError,
  HostKeyError,
} from '../hosts/errors.ts'
import type { ExecOptions, ExecResult, Transport } from '../hosts/transport.ts'
import { SECOND } from '../time/duration.ts'
import {
  knownHostName,
  preferredHostKeyAlgorithms,
  readKnownHostsFiles,
  verifyHostKey,
} from './known-hosts.ts'
import { planAuth } from './ssh-auth.ts'
import { readStartMarker, remoteCommandLine, START_MARKER } from './remote-command.ts'
import { parseJump, resolveSshTarget, type ResolvedSshTarget } from './ssh-config.ts'

export interface SshTransportOptions {
  /** Inventory name, used in every message. */
  hostName: string
  /** As typed in the plan: `hsb0` (alias) or `mba@cs0.barta.cm`. */
  target: string
  port?: number
  /** ssh_config file (default ~/.ssh/config, or $SSH_CONFIG). */
  configFile?: string
  /** Replaces the UserKnownHostsFile list (the rehearsal pins its own). */
  knownHostsFiles?: string[]
  /** Production: 'refuse'. A changed or revoked key is refused whatever this says. */
  unknownHostKey: 'refuse' | 'accept'
  connectTimeoutMs?: number
  keepaliveIntervalMs?: number
  /** Default: $SSH_AUTH_SOCK. */
  agentSocket?: string | undefined
  onWarning?: (message: string) => void
  /**
   * For a hop of a ProxyJump chain: the hops before it, as `ssh -J` passes
   * them (they replace whatever the hop's own configuration says).
   */
  jumpChain?: string[]
  /** How the command line sent to the login shell is built (tests put an old prelude back). */
  commandLine?: (command: string) => string
}

/** A host key as `ssh` shows it: SHA256:<base64 without padding>. */
function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`
}

const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
]

/**
 * SSH as an operator's `ssh` would do it: ssh_config aliases, ProxyJump,
 * ssh-agent, known_hosts verification, keepalive, and deadlines on connect and
 * on every command. node-ssh does not reconnect; a lost connection is dropped
 * and the next command opens a fresh one.
 */
export class SshTransport implements Transport {
  readonly hostName: string
  private ssh: NodeSSH | undefined
  private jump: SshTransport | undefined
  private connecting: Promise<NodeSSH> | undefined

  constructor(private readonly opts: SshTransportOptions) {
    this.hostName = opts.hostName
  }

  private resolution: ResolvedSshTarget | undefined
  /** The target as OpenSSH resolves it (`ssh -G`), once per transport. */
  resolved(): ResolvedSshTarget {
    if (this.resolution) return this.resolution
    const r = resolveSshTarget(this.opts.target, {
      ...(this.opts.configFile ? { configFile: this.opts.configFile } : {}),
      ...(this.opts.port ? { port: this.opts.port } : {}),
    })
    const chain = this.opts.jumpChain
    if (chain !== undefined) delete r.proxyJump
    this.resolution = chain?.length ? { ...r, proxyJump: chain } : r
    return this.resolution
  }

  port(): number {
    return this.resolved().port
  }

  private describeTarget(r: ResolvedSshTarget): string {
    const via = r.proxyJump
      ? ` via ${r.proxyJump.join(',')}`
      : r.proxyCommand
        ? ` via ProxyCommand ${r.proxyCommand}`
        : ''
    return `${r.user}@${r.hostName}:${r.port}${via}`
  }

  private async connect(): Promise<NodeSSH> {
    const r = this.resolved()
    const connectTimeoutMs = this.opts.connectTimeoutMs ?? r.connectTimeoutMs ?? 15 * SECOND
    // As OpenSSH: a HostKeyAlias is looked up as written, without the [host]:port form.
    const knownName = r.hostKeyAlias ?? knownHostName(r.hostName, r.port)
    const entries = readKnownHostsFiles(this.opts.knownHostsFiles ?? r.userKnownHostsFiles)
    let keyProblem: string | undefined
    const hostVerifier = (key: Buffer): boolean => {
      const verdict = verifyHostKey(entries, knownName, key)
      switch (verdict.kind) {
        case 'known':
          return true
        case 'changed':
          keyProblem = `HOST KEY CHANGED for ${knownName}: the server's key does not match ${verdict.sources.join(', ')}; refusing to connect (possible man-in-the-middle, or the host was reinstalled: check, then update known_hosts)`
          return false
        case 'revoked':
          keyProblem = `host key for ${knownName} is marked @revoked in ${verdict.source}; refusing to connect`
          return false
        case 'unknown':
          if (this.opts.unknownHostKey === 'accept') {
            this.opts.onWarning?.(
              `${this.hostName}: host key for ${knownName} is not in known_hosts; accepted (rehearsal)`,
            )
            return true
          }
          // No invitation to trust on first use: the key must be checked against a source other than this connection.
          keyProblem = `host key for ${knownName} is unknown (not in ${(this.opts.knownHostsFiles ?? r.userKnownHostsFiles).join(', ')}); refusing to connect. The server presented ${fingerprint(key)}: compare it with the fingerprint read on the host itself (its console: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) or your inventory records, and add the key to known_hosts only if they match`
          return false
      }
    }
    // IdentityAgent from the configuration wins over $SSH_AUTH_SOCK, as with ssh.
    const agent =
      'agentSocket' in this.opts
        ? this.opts.agentSocket
        : r.identityAgent !== undefined
          ? (r.identityAgent ?? undefined)
          : process.env.SSH_AUTH_SOCK
    const auth = planAuth(r.user, r.identityFiles, agent)
    let sock: Duplex | undefined
    if (r.proxyJump) sock = await this.openJump(r, connectTimeoutMs)
    else if (r.proxyCommand) sock = this.openProxyCommand(r.proxyCommand)
    const preferred = preferredHostKeyAlgorithms(entries, knownName)
    const config: Config = {
      ...(sock ? { sock } : { host: r.hostName }),
      port: r.port,
      username: r.user,
      authHandler: auth.handler,
      hostVerifier,
      readyTimeout: connectTimeoutMs,
      keepaliveInterval: this.opts.keepaliveIntervalMs ?? 5 * SECOND,
      keepaliveCountMax: 3,
      algorithms: {
        serverHostKey: [
          ...preferred,
          ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => !preferred.includes(a)),
        ] as never,
      },
    }
    const ssh = new NodeSSH()
    try {
      await ssh.connect(config)
    } catch (err) {
      ssh.dispose()
      const reason = (err as Error).message
      if (keyProblem) throw new HostKeyError(this.hostName, keyProblem, { cause: err })
      const hint = /authentication methods failed/i.test(reason) ? ` (${auth.describe()})` : ''
      throw new ConnectError(
        this.hostName,
        `cannot connect to ${this.describeTarget(r)}: ${reason}${hint}`,
        { cause: err },
      )
    }
    // Errors after 'ready' (reset by peer, keepalive timeout) would otherwise be
    // unhandled 'error' events that crash the run; the channel close reports them.
    ssh.connection?.on('error', () => undefined)
    ssh.connection?.on('close', () => {
      if (this.ssh === ssh) this.ssh = undefined
    })
    return ssh
  }

  /** ProxyCommand as ssh runs it: `sh -c <command>`, whose stdin and stdout are the connection. */
  private openProxyCommand(command: string): Duplex {
    const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)))
    const sock = Duplex.from({ readable: child.stdout, writable: child.stdin })
    child.on('exit', (code) => {
      if (code) sock.destroy(new Error(`ProxyCommand exited ${code}: ${stderr.trim()}`))
    })
    sock.on('close', () => child.kill())
    return sock
  }

  private async openJump(r: ResolvedSshTarget, connectTimeoutMs: number): Promise<Duplex> {
    const chain = r.proxyJump ?? []
    const hop = parseJump(chain.at(-1) as string)
    // One jump connection per transport, reused for every reconnect: a host that
    // is still booting (channel refused) must not cost a new handshake at the jump
    // host on every retry, nor leave the previous jump connection open.
    this.jump ??= new SshTransport({
      ...this.opts,
      hostName: `${this.hostName} (jump ${hop.target})`,
      target: hop.target,
      ...(hop.port ? { port: hop.port } : { port: undefined }),
      // The hops before this one, as `ssh -J a,b host` reaches b through a.
      jumpChain: chain.slice(0, -1),
    })
    const jumpSsh = await this.jump.connection()
    return await new Promise<Duplex>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new ConnectError(
              this.hostName,
              `jump host ${hop.target} did not open a channel to ${r.hostName}:${r.port}`,
            ),
          ),
        connectTimeoutMs,
      )
      jumpSsh.connection?.forwardOut('127.0.0.1', 0, r.hostName, r.port, (err, stream) => {
        clearTimeout(timer)
        if (err) {
          // SSH_OPEN_ADMINISTRATIVELY_PROHIBITED: the jump host does not forward there at all.
          const prohibited =
            (err as Error & { reason?: unknown }).reason === 1
              ? ' (administratively prohibited: the jump host does not forward to this destination)'
              : ''
          reject(
            new ConnectError(
              this.hostName,
              `jump host ${hop.target} cannot reach ${r.hostName}:${r.port}: ${err.message}${prohibited}`,
              { cause: err },
            ),
          )
        } else resolve(stream)
      })
    })
  }

  /** The live connection, opened on first use and after a loss. */
  async connection(): Promise<NodeSSH> {
    if (this.ssh?.isConnected()) return this.ssh
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined))
    this.ssh = await this.connecting
    return this.ssh
  }

  async exec(command: string, opts: ExecOptions): Promise<ExecResult> {
    const started = Date.now()
    const ssh = await this.connection()
    let channel: ClientChannel | undefined
    let timer: NodeJS.Timeout | undefined
    let remotePid: string | undefined
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), opts.timeoutMs)
    })
    try {
      const outcome = await Promise.race([
        ssh.execCommand((this.opts.commandLine ?? remoteCommandLine)(command), {
          onChannel: (c) => {
            channel = c
            // The wrapper's PID names the process group to kill if the command outlives its deadline.
            let head = ''
            const onData = (chunk: Buffer): void => {
              head += chunk.toString()
              remotePid = START_MARKER.exec(head)?.[1]
              if (remotePid || head.length > 4096) c.stderr.off('data', onData)
            }
            c.stderr.on('data', onData)
          },
          ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
          noTrim: true,
        }),
        timedOut,
      ])
      if (outcome === 'timeout') {
        // Stop the remote process, not just our wait for it.
        try {
          channel?.signal('KILL')
        } catch {
          /* the server may not support signals; closing the channel still ends the session */
        }
        channel?.close()
        await this.killProcessGroup(ssh, remotePid)
        throw new CommandTimeoutError(this.hostName, command, opts.timeoutMs)
      }
      const durationMs = Date.now() - started
      if (outcome.code === null && outcome.signal === null) {
        await this.reset()
        throw new ConnectionLostError(this.hostName, command)
      }
      const exitCode = outcome.code ?? 128 + signalNumber(outcome.signal)
      const marked = readStartMarker(outcome.stderr)
      // No marker: the runbook's command never ran, whatever the exit code says.
      if (!marked) throw await this.notRunError(ssh, command, exitCode, outcome.stderr)
      return { exitCode, stdout: outcome.stdout, stderr: marked.stderr, durationMs }
    } finally {
      clearTimeout(timer)
    }
  }

  /** The command did not run under the wrapper: names the host and the login shell that took it. */
  private async notRunError(
    ssh: NodeSSH,
    command: string,
    exitCode: number,
    stderr: string,
  ): Promise<HostError> {
    const shell = await Promise.race([
      ssh.execCommand('echo $SHELL').then((r) => r.stdout.trim() || 'unknown'),
      new Promise<string>((r) => setTimeout(() => r('unknown'), 5 * SECOND)),
    ]).catch(() => 'unknown')
    return new HostError(
      this.hostName,
      `the command did not run: the login shell (${shell}) did not run the runbook's sh wrapper (no start marker; exit ${exitCode}${stderr.trim() ? `, stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}): ${command}`,
    )
  }

  /**
   * sshd makes each session's shell a process-group leader (setsid), so the
   * shell's PID names the whole tree the command started; killing only the
   * channel's process would leave its children running.
   */
  private async killProcessGroup(ssh: NodeSSH, pid: string | undefined): Promise<void> {
    if (!pid || !ssh.isConnected()) return
    const killer = ssh.execCommand(
      // No `--`: dash (Debian's sh) refuses it; `-KILL -<pgid>` reads the same in every sh.
      remoteCommandLine(`kill -KILL -${pid} 2>/dev/null || kill -KILL ${pid} 2>/dev/null; true`),
    )
    await Promise.race([killer, new Promise((r) => setTimeout(r, 5 * SECOND))]).catch(
      () => undefined,
    )
  }

  async reset(): Promise<void> {
    this.ssh?.dispose()
    this.ssh = undefined
    await this.jump?.close()
    this.jump = undefined
  }

  async close(): Promise<void> {
    await this.reset()
  }
}

function signalNumber(signal: string | null): number {
  const table: Record<string, number> = { HUP: 1, INT: 2, KILL: 9, TERM: 15 }
  return table[(signal ?? '').replace(/^SIG/, '')] ?? 0
}
