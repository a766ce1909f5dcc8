import type { WebSocket } from 'ws'
import { hubDeadlocks, type Behaviour } from '../revisions.ts'
import type { Store } from './store.ts'

/** A frame field as text; anything that is not a string or number counts as absent. */
const text = (v: unknown, fallback: string): string =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback

/**
 * Live connections: at most one agent socket per hostname (the newest wins),
 * and every browser socket. Messages are {"type", "payload"} JSON frames.
 */
export class Hub {
  private agents = new Map<string, WebSocket>()
  private browsers = new Set<WebSocket>()
  /** Set on shutdown: the store is about to close and sockets closing now must not write to it. */
  private stopping = false
  /**
   * From 29f2b4e until de15045 (hub.go): the hub loop marks a disconnected
   * agent's host offline and broadcasts it while holding its own lock, and the
   * broadcast takes the same lock again. The loop stops for good: no agent
   * message is handled, no agent registers, no command finds its agent, while
   * /login, /health and the 401 on /ws still answer.
   */
  deadlocked = false

  constructor(
    private readonly store: Store,
    private readonly log: (msg: string) => void,
    private readonly behaviour: Behaviour,
  ) {}

  broadcast(type: string, payload: unknown): void {
    const frame = JSON.stringify({ type, payload })
    for (const b of this.browsers) b.send(frame)
  }

  addBrowser(ws: WebSocket): void {
    this.browsers.add(ws)
    ws.on('close', () => this.browsers.delete(ws))
    ws.on('message', (data: Buffer) =>
      this.log(`browser message ignored: ${data.toString().slice(0, 80)}`),
    )
  }

  agentFor(hostname: string): WebSocket | undefined {
    return this.agents.get(hostname)
  }

  addAgent(ws: WebSocket): void {
    let hostname: string | undefined
    ws.on('message', (data: Buffer) => {
      // Nothing reads the message channel any more; the socket stays open.
      if (this.deadlocked) return
      let msg: { type?: string; payload?: Record<string, unknown> }
      try {
        msg = JSON.parse(data.toString()) as typeof msg
      } catch {
        this.log('agent sent malformed JSON; ignored')
        return
      }
      const p = msg.payload ?? {}
      switch (msg.type) {
        case 'register': {
          hostname = text(p.hostname, '')
          if (!hostname) return
          const previous = this.agents.get(hostname)
          this.agents.set(hostname, ws)
          if (previous && previous !== ws) previous.close() // the new socket wins; no close code (v2.0)
          // Before 2dc955d (hub.go) a register was only logged: /api/hosts stays {"hosts":null}.
          if (this.behaviour.storesHosts)
            this.store.register({
              hostname,
              host_type: text(p.host_type, 'nixos'),
              agent_version: text(p.agent_version, ''),
              os_version: text(p.os_version, ''),
              nixpkgs_version: text(p.nixpkgs_version, ''),
              generation: text(p.generation, ''),
            })
          ws.send(JSON.stringify({ type: 'registered', payload: { host_id: hostname } }))
          this.log(`agent registered host_id=${hostname}`)
          this.broadcast('host_update', {
            host_id: hostname,
            online: true,
            pending_command: '',
            generation: p.generation,
            os_version: p.os_version,
            agent_version: p.agent_version,
          })
          break
        }
        case 'heartbeat': {
          if (!hostname) return
          const pending = (p.pending_command as string | null | undefined) ?? null
          this.store.heartbeat(hostname, {
            generation: text(p.generation, ''),
            nixpkgs_version: text(p.nixpkgs_version, ''),
            pending_command: pending,
            metrics: p.metrics ?? null,
          })
          this.broadcast('host_update', {
            host_id: hostname,
            online: true,
            last_seen: new Date().toISOString(),
            generation: p.generation,
            nixpkgs_version: p.nixpkgs_version,
            pending_command: pending,
            metrics: p.metrics ?? null,
          })
          break
        }
        case 'output':
          if (hostname)
            this.broadcast('command_output', {
              host_id: hostname,
              line: p.line,
              command: p.command ?? '',
              is_error: p.is_error ?? false,
              stream: p.stream,
            })
          break
        case 'status':
          if (!hostname) return
          this.store.setPending(hostname, null)
          this.broadcast('command_complete', {
            host_id: hostname,
            command: p.command,
            status: p.status,
            message: p.message,
            exit_code: p.exit_code,
          })
          break
        case 'test_progress':
          if (hostname) this.broadcast('test_progress', { host_id: hostname, ...p })
          break
        default:
          // command_rejected and unknown types: v2.0 has no handler and drops them.
          break
      }
    })
    ws.on('close', () => {
      if (this.deadlocked) return
      if (!this.stopping && hostname && this.agents.get(hostname) === ws) {
        this.agents.delete(hostname)
        // Before 29f2b4e a disconnected host kept its status (still "online").
        if (!this.behaviour.offlineOnDisconnect) return
        this.store.setStatus(hostname, 'offline')
        if (hubDeadlocks(this.behaviour)) {
          this.deadlocked = true
          return
        }
        this.broadcast('host_update', { host_id: hostname, online: false, status: 'offline' })
        this.log(`agent disconnected host_id=${hostname}`)
      }
    })
  }

  closeAll(): void {
    this.stopping = true
    for (const ws of [...this.agents.values(), ...this.browsers]) ws.terminate()
  }
}
