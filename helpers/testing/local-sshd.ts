import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { poll } from '../wait/poll.ts'

/**
 * A real OpenSSH server on 127.0.0.1 for unit tests of the SSH layer: its own
 * host key, an authorized client key, a free port. Restartable on the same
 * port, and able to drop every open session (a "lost connection").
 */
export class LocalSshd {
  readonly dir = mkdtempSync(join(tmpdir(), 'runbook-sshd-'))
  readonly user = userInfo().username
  readonly hostKeyFile = join(this.dir, 'host_ed25519')
  readonly clientKeyFile = join(this.dir, 'client_ed25519')
  port = 0
  private proc: ChildProcess | undefined

  constructor() {
    keygen(this.hostKeyFile)
    keygen(this.clientKeyFile)
    writeFileSync(join(this.dir, 'authorized_keys'), readFileSync(`${this.clientKeyFile}.pub`))
  }

  /** The host's public key line ("ssh-ed25519 AAAA…"). */
  hostPublicKey(): string {
    return readFileSync(`${this.hostKeyFile}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')
  }

  async start(): Promise<void> {
    this.port ||= await freePort()
    const config = join(this.dir, 'sshd_config')
    writeFileSync(
      config,
      [
        `Port ${this.port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${this.hostKeyFile}`,
        `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
        `PidFile ${join(this.dir, 'sshd.pid')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'StrictModes no',
        'UsePAM no',
        'AllowTcpForwarding yes',
        'LogLevel ERROR',
      ].join('\n') + '\n',
    )
    execFileSync('mkdir', ['-p', '/run/sshd'])
    this.proc = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: 'ignore' })
    await poll(`sshd on 127.0.0.1:${this.port}`, () => tryConnect(this.port), {
      timeout: '10s',
      interval: '100ms',
    })
  }

  /** Kills every session process of this server: clients see their connection drop. */
  dropSessions(): void {
    if (!this.proc?.pid) return
    try {
      execFileSync('pkill', ['-KILL', '-P', String(this.proc.pid)])
    } catch {
      /* no sessions */
    }
  }

  async stop(): Promise<void> {
    this.dropSessions()
    const p = this.proc
    this.proc = undefined
    if (!p || p.exitCode !== null) return
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve())
      p.kill('SIGTERM')
    })
  }

  async dispose(): Promise<void> {
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}

export function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'runbook-test', '-f', file])
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() =>
        typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port')),
      )
    })
  })
}

function tryConnect(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => {
      s.destroy()
      resolve()
    })
    s.once('error', reject)
  })
}
