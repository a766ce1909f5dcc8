import bcrypt from 'bcryptjs'
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { totpValid } from '../../../../helpers/dashboard/totp.ts'
import type { DashboardConfig } from './config.ts'
import type { Behaviour } from '../revisions.ts'
import { Hub } from './hub.ts'
import { dashboardPage, loginPage } from './pages.ts'
import { Store } from './store.ts'
import {
  clientIp,
  constantTimeEqual as same,
  cookies,
  RateLimiter,
  readBody as body,
} from '../http-util.ts'

/**
 * The simulated NixFleet v2.0 dashboard (reference §1-3, §9): login with
 * bcrypt + TOTP and a per-IP rate limit, unsigned DB-backed session cookie,
 * CSRF on mutations, 302 to /login without a session, 401 on /ws without
 * credentials, agents by bearer token, commands with 409 for offline hosts.
 * What differs between the real revisions (reference §2) follows `behaviour`:
 * /health, hosts stored on register, offline marking and the hub deadlock.
 */
const COOKIE = 'nixfleet_session'
const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'X-XSS-Protection': '1; mode=block',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
}

export interface RunningDashboard {
  server: Server
  store: Store
  hub: Hub
  port: number
  close(): Promise<void>
}

export async function startDashboard(
  cfg: DashboardConfig,
  log: (m: string) => void,
  behaviour: Behaviour,
): Promise<RunningDashboard> {
  const store = new Store(cfg.dbPath)
  const hub = new Hub(store, log, behaviour)
  const limiter = new RateLimiter(cfg.rateLimit, cfg.rateWindowMs)
  const wss = new WebSocketServer({ noServer: true, maxPayload: 512 * 1024 })

  const send = (
    res: ServerResponse,
    status: number,
    text: string,
    type = 'text/plain; charset=utf-8',
    extra: Record<string, string | string[]> = {},
  ): void => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, ...extra })
    res.end(text)
  }
  const redirect = (
    res: ServerResponse,
    to: string,
    extra: Record<string, string | string[]> = {},
  ): void => {
    res.writeHead(302, { ...SECURITY_HEADERS, Location: to, ...extra })
    res.end()
  }
  const json = (res: ServerResponse, status: number, value: unknown): void =>
    send(res, status, JSON.stringify(value), 'application/json')
  const session = (req: IncomingMessage): { id: string; csrf: string } | undefined => {
    const id = cookies(req)[COOKIE]
    const s = id ? store.session(id) : undefined
    return s && id ? { id, csrf: s.csrf } : undefined
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ip = clientIp(req)
    if (limiter.hit(ip)) return redirect(res, '/login?error=Too+many+attempts.+Please+wait.')
    let form: URLSearchParams
    try {
      form = new URLSearchParams(await body(req))
    } catch {
      return redirect(res, '/login?error=Invalid+request')
    }
    if (!(await bcrypt.compare(form.get('password') ?? '', cfg.passwordHash)))
      return redirect(res, '/login?error=Invalid+password')
    if (cfg.totpSecret && !(await totpValid(cfg.totpSecret, (form.get('totp') ?? '').trim()))) {
      return redirect(res, '/login?error=Invalid+TOTP+code')
    }
    limiter.reset(ip)
    const id = randomBytes(32).toString('base64url') + '='
    try {
      store.createSession(id, randomBytes(32).toString('hex'), cfg.sessionDurationMs)
    } catch {
      return redirect(res, '/login?error=Server+error')
    }
    const secure = req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : ''
    const expires = new Date(Date.now() + cfg.sessionDurationMs).toUTCString()
    redirect(res, '/', {
      'Set-Cookie': `${COOKIE}=${id}; Path=/; Expires=${expires}; HttpOnly; SameSite=Lax${secure}`,
    })
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard')
    const path = url.pathname
    const method = req.method ?? 'GET'
    // /health came with 6933b5f (handlers.go, server.go); before, the router has no such route.
    if (path === '/health' && method === 'GET' && behaviour.healthEndpoint)
      return json(res, 200, { status: 'ok' })
    if (path === '/login' && method === 'GET') {
      if (session(req)) return redirect(res, '/')
      return send(res, 200, loginPage(url.searchParams.get('error')), 'text/html; charset=utf-8')
    }
    if (path === '/login' && method === 'POST') return login(req, res)
    if (path === '/ws') return send(res, 401, 'Unauthorized\n') // a plain GET (no upgrade) without credentials
    const protectedRoute = path === '/' || path === '/logout' || path.startsWith('/api/')
    if (!protectedRoute) return send(res, 404, '404 page not found\n')
    const s = session(req)
    if (!s) return redirect(res, '/login')
    if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) {
      const raw = await body(req)
      const token =
        (req.headers['x-csrf-token'] as string | undefined) ??
        new URLSearchParams(raw).get('csrf_token') ??
        ''
      if (!same(token, s.csrf)) return send(res, 403, 'Forbidden\n')
      if (path === '/logout' && method === 'POST') {
        store.deleteSession(s.id)
        return redirect(res, '/login', {
          'Set-Cookie': `${COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict`,
        })
      }
      const m = /^\/api\/hosts\/([^/]+)\/command$/.exec(path)
      if (m && method === 'POST') {
        const host = decodeURIComponent(m[1] as string)
        let cmd: { command?: string }
        try {
          cmd = JSON.parse(raw) as { command?: string }
        } catch {
          return send(res, 400, 'Invalid JSON\n')
        }
        // A deadlocked hub holds its lock: GetAgent never returns, nor does the request.
        if (hub.deadlocked) return new Promise<void>(() => undefined)
        const agent = hub.agentFor(host)
        if (!agent) return send(res, 409, 'Host offline\n')
        const command = String(cmd.command ?? '')
        store.setPending(host, command)
        hub.broadcast('command_queued', { host_id: host, command })
        agent.send(JSON.stringify({ type: 'command', payload: { command, args: null } }))
        return json(res, 200, { status: 'queued', command })
      }
      return send(res, 404, '404 page not found\n')
    }
    if (path === '/') return send(res, 200, dashboardPage(s.csrf), 'text/html; charset=utf-8')
    if (path === '/api/hosts') {
      const rows = store.hosts()
      return json(res, 200, { hosts: rows.length ? rows : null })
    }
    return send(res, 404, '404 page not found\n')
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`request failed: ${(err as Error).message}`)
      if (!res.headersSent) send(res, 500, 'Internal Server Error\n')
    })
  })

  // Authentication happens before the upgrade, so unauthenticated clients get a plain 401.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const reject = (code: number, text: string): void => {
      socket.end(
        `HTTP/1.1 ${code} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\nConnection: close\r\n\r\n${text}\n`,
      )
    }
    const auth = req.headers.authorization
    if (auth?.startsWith('Bearer ')) {
      if (!same(auth.slice(7), cfg.agentToken)) return reject(401, 'Unauthorized')
      return wss.handleUpgrade(req, socket, head, (ws) => hub.addAgent(ws))
    }
    if (!session(req)) return reject(401, 'Unauthorized')
    wss.handleUpgrade(req, socket, head, (ws) => hub.addBrowser(ws))
  })

  await new Promise<void>((resolve) =>
    server.listen(cfg.listen.port, cfg.listen.host || undefined, resolve),
  )
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : cfg.listen.port
  log(`starting dashboard server addr=:${port}`)
  return {
    server,
    store,
    hub,
    port,
    async close() {
      hub.closeAll()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
      store.close()
    },
  }
}
