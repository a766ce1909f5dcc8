/**
 * Simulated NixFleet v2 agent (reference §2, §4): WebSocket to the dashboard
 * with a bearer token, register → registered, heartbeats (also during
 * commands), pull/switch with streamed output and a final status, reconnect
 * with backoff 1 s doubling to 60 s. Logs to stderr in zerolog's console
 * format; systemd puts them in the journal, launchd in /tmp/nixfleet-agent.err.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import WebSocket from 'ws'
import { loadAgentConfig, type AgentConfig } from './config.ts'
import { cloneScript, generation, startCommand, type Running } from './commands.ts'

const log = (level: 'INF' | 'WRN' | 'ERR' | 'FTL', msg: string): void => {
  const t = new Date().toTimeString().slice(0, 8)
  process.stderr.write(`${t} ${level} ${msg}\n`)
}

function osVersion(): string {
  try {
    return /VERSION_ID="?([^"\n]+)/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? ''
  } catch {
    return ''
  }
}

export class Agent {
  private ws: WebSocket | undefined
  private heartbeat: NodeJS.Timeout | undefined
  private running: { name: string; proc: Running } | undefined
  private backoffMs = 1000
  private stopped = false

  constructor(private readonly cfg: AgentConfig) {}

  private send(type: string, payload: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type, payload }))
  }

  private beat(): void {
    this.send('heartbeat', {
      generation: generation(this.cfg.repoDir),
      nixpkgs_version: process.env.NIXFLEET_NIXPKGS_VERSION ?? '',
      pending_command: this.running?.name ?? null,
      command_pid: this.running?.proc.pid ?? null,
      metrics: null,
    })
  }

  private onCommand(name: string): void {
    log('INF', `received command command=${name}`)
    if (name === 'restart') {
      log('INF', 'restarting on request')
      process.exit(0)
    }
    if (name === 'stop') {
      this.running?.proc.stop()
      return
    }
    if (this.running) {
      this.send('command_rejected', {
        reason: 'command already running',
        current_command: this.running.name,
        current_pid: this.running.proc.pid ?? null,
      })
      return
    }
    const proc = startCommand(name, this.cfg, (line, stream) =>
      this.send('output', { line, stream }),
    )
    if (!proc) {
      this.send('status', {
        status: 'error',
        command: name,
        exit_code: 1,
        message: 'unknown command',
      })
      return
    }
    this.running = { name, proc }
    this.beat()
    void proc.done.then((code) => {
      this.running = undefined
      const status = code === 0 ? 'ok' : 'error'
      log('INF', `command completed command=${name} status=${status} exit_code=${code}`)
      this.send('status', {
        status,
        command: name,
        exit_code: code,
        message: code === 0 ? '' : 'command failed',
      })
      this.beat()
    })
  }

  connect(): void {
    const ws = new WebSocket(this.cfg.url, {
      headers: { Authorization: `Bearer ${this.cfg.token}` },
      handshakeTimeout: 10_000,
    })
    this.ws = ws
    let opened = false
    ws.on('unexpected-response', (req, res) => {
      req.destroy()
      log(
        'ERR',
        res.statusCode === 401
          ? 'authentication failed: 401 Unauthorized'
          : `connection failed: HTTP ${res.statusCode ?? '?'}`,
      )
      this.retry()
    })
    ws.on('open', () => {
      opened = true
      this.backoffMs = 1000
      log('INF', `connected to dashboard url=${this.cfg.url}`)
      this.send('register', {
        hostname: this.cfg.hostname,
        host_type: this.cfg.hostType,
        agent_version: '2.0.0',
        os_version: osVersion(),
        nixpkgs_version: process.env.NIXFLEET_NIXPKGS_VERSION ?? '',
        generation: generation(this.cfg.repoDir),
        heartbeat_interval: this.cfg.intervalS,
      })
    })
    ws.on('message', (data: Buffer) => {
      let msg: { type?: string; payload?: { host_id?: string; command?: string } }
      try {
        msg = JSON.parse(data.toString()) as typeof msg
      } catch {
        return
      }
      if (msg.type === 'registered') {
        log('INF', `registered with dashboard host_id=${msg.payload?.host_id ?? ''}`)
        this.beat()
        clearInterval(this.heartbeat)
        this.heartbeat = setInterval(() => this.beat(), this.cfg.intervalS * 1000)
      } else if (msg.type === 'command' && msg.payload?.command) {
        this.onCommand(msg.payload.command)
      }
    })
    ws.on('error', (err) => {
      if (!opened) log('WRN', `connection failed, retrying error="${err.message}"`)
    })
    ws.on('close', () => {
      clearInterval(this.heartbeat)
      if (opened && !this.stopped) log('WRN', 'disconnected from dashboard')
      // One backoff wait follows every disconnect, as in v2.0; the timer guard keeps it to one.
      this.retry()
    })
  }

  private retryTimer: NodeJS.Timeout | undefined
  private retry(): void {
    if (this.stopped || this.retryTimer) return
    const wait = this.backoffMs
    this.backoffMs = Math.min(this.backoffMs * 2, 60_000)
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.connect()
    }, wait)
  }

  stop(): void {
    this.stopped = true
    clearInterval(this.heartbeat)
    clearTimeout(this.retryTimer)
    this.ws?.close(1000, 'shutdown')
  }
}

if (process.argv[1]?.endsWith('agent-v2.mjs') || process.env.NIXFLEET_AGENT_MAIN === '1') {
  try {
    const cfg = loadAgentConfig(process.env)
    log('INF', `NixFleet Agent starting version=2.0.0 hostname=${cfg.hostname}`)
    const agent = new Agent(cfg)
    // The real agent's Run() announces itself a second time, with a line that
    // also holds "starting" (v2/internal/agent/agent.go at every revision of the day).
    log('INF', `starting agent hostname=${cfg.hostname} url=${cfg.url}`)
    // From e579804 the agent makes sure its isolated checkout exists before anything else.
    if (cfg.repoUrl && cfg.behaviour.pullMovesCheckout) {
      try {
        execFileSync('/bin/sh', ['-c', cloneScript(cfg)], { stdio: ['ignore', 'ignore', 'pipe'] })
      } catch (err) {
        const why = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()
        log('ERR', `failed to ensure repository exists error="${why}"`)
        log('FTL', 'agent failed')
        process.exit(1)
      }
    }
    agent.connect()
    process.on('SIGTERM', () => {
      agent.stop()
      setTimeout(() => process.exit(0), 200)
    })
  } catch (err) {
    log('FTL', (err as Error).message)
    process.exit(1)
  }
}
