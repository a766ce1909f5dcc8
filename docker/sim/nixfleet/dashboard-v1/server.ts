import bcrypt from 'bcryptjs'
import { createHmac } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { totpValid } from '../../../../helpers/dashboard/totp.ts'
import { clientIp, constantTimeEqual, cookies, RateLimiter, readBody } from '../http-util.ts'
import { openV1Database, recordPoll, type V1Poll } from './store.ts'

/**
 * The simulated NixFleet v1 dashboard: the surface that matters to the
 * migration (reference §6.2). Login page and form (429 after 5 a minute),
 * /health, agents polling POST /api/hosts/<host>/register with the shared
 * token, the host list, and no /ws at all (404).
 */
export interface V1Config {
  dataDir: string
  passwordHash: string
  totpSecret: string
  apiToken: string
  sessionSecrets: string[]
  port: number
  host: string
}

export function loadV1Config(env: NodeJS.ProcessEnv): V1Config {
  const dev = env.NIXFLEET_DEV_MODE === 'true'
  const errors: string[] = []
  const hash = env.NIXFLEET_PASSWORD_HASH ?? ''
  if (!/^\$2[ab]\$/.test(hash)) errors.push('NIXFLEET_PASSWORD_HASH must be set to a bcrypt hash')
  if (!dev && !env.NIXFLEET_SESSION_SECRETS) errors.push('NIXFLEET_SESSION_SECRETS is required')
  if (!dev && !env.NIXFLEET_AGENT_TOKEN_HASH_SECRET)
    errors.push('NIXFLEET_AGENT_TOKEN_HASH_SECRET is required')
  if (errors.length) throw new Error(`RuntimeError: ${errors.join('; ')}`)
  return {
    dataDir: env.NIXFLEET_DATA_DIR ?? '/data',
    passwordHash: hash,
    totpSecret: env.NIXFLEET_TOTP_SECRET ?? '',
    apiToken: env.NIXFLEET_API_TOKEN ?? '',
    sessionSecrets: (env.NIXFLEET_SESSION_SECRETS ?? 'dev').split(','),
    port: Number(env.PORT ?? '8000'),
    host: env.HOST ?? '0.0.0.0',
  }
}

const page = (error: string | null): string => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>NixFleet - Login</title></head>
<body><h1>🚀 NixFleet</h1>${error ? `<p class="error">${error.replace(/[<>&]/g, '')}</p>` : ''}
<form method="post" action="/login"><input type="password" name="password" placeholder="Password" required>
<input type="text" name="totp" placeholder="TOTP code" autocomplete="one-time-code"><button type="submit">Login</button></form></body></html>
`

export async function startV1Dashboard(
  cfg: V1Config,
  log: (m: string) => void,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const db = openV1Database(`${cfg.dataDir}/nixfleet.db`)
  const limiter = new RateLimiter(5, 60_000)
  const sign = (payload: string): string =>
    createHmac('sha256', cfg.sessionSecrets[0] as string)
      .update(payload)
      .digest('base64url')
  const sessionOk = (req: IncomingMessage): boolean => {
    const [v, payload, mac] = (cookies(req).nixfleet_session ?? '').split('.')
    return (
      v === 'v1' &&
      !!payload &&
      !!mac &&
      constantTimeEqual(mac, sign(payload)) &&
      Number(Buffer.from(payload, 'base64url').toString()) > Date.now()
    )
  }
  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    type = 'text/plain',
    extra: Record<string, string> = {},
  ): void => {
    res.writeHead(status, { 'Content-Type': type, ...extra })
    res.end(body)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://v1')
    const method = req.method ?? 'GET'
    if (url.pathname === '/health')
      return send(
        res,
        200,
        JSON.stringify({ status: 'healthy', version: '1.0.0' }),
        'application/json',
      )
    if (url.pathname === '/login' && method === 'GET')
      return send(res, 200, page(url.searchParams.get('error')), 'text/html; charset=utf-8')
    if (url.pathname === '/login' && method === 'POST') {
      if (limiter.hit(clientIp(req)))
        return send(
          res,
          429,
          JSON.stringify({ detail: 'Rate limit exceeded: 5 per 1 minute' }),
          'application/json',
        )
      const form = new URLSearchParams(await readBody(req))
      const ok =
        (await bcrypt.compare(form.get('password') ?? '', cfg.passwordHash)) &&
        (!cfg.totpSecret || (await totpValid(cfg.totpSecret, form.get('totp') ?? '')))
      if (!ok)
        return send(res, 302, '', 'text/plain', { Location: '/login?error=Invalid+credentials' })
      const payload = Buffer.from(String(Date.now() + 86_400_000)).toString('base64url')
      return send(res, 302, '', 'text/plain', {
        Location: '/',
        'Set-Cookie': `nixfleet_session=v1.${payload}.${sign(payload)}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=86400`,
      })
    }
    const m = /^\/api\/hosts\/([^/]+)\/register$/.exec(url.pathname)
    if (m && method === 'POST') {
      const auth = req.headers.authorization ?? ''
      if (!cfg.apiToken || !constantTimeEqual(auth, `Bearer ${cfg.apiToken}`))
        return send(res, 401, JSON.stringify({ detail: 'Invalid token' }), 'application/json')
      const p = JSON.parse((await readBody(req)) || '{}') as Partial<V1Poll>
      const hostname = decodeURIComponent(m[1] as string)
      recordPoll(db, { ...p, hostname, host_type: p.host_type === 'macos' ? 'macos' : 'nixos' })
      return send(
        res,
        200,
        JSON.stringify({ status: 'registered', host_id: hostname, command: null }),
        'application/json',
      )
    }
    if (url.pathname === '/' || url.pathname.startsWith('/api/')) {
      if (!sessionOk(req)) return send(res, 302, '', 'text/plain', { Location: '/login' })
      if (url.pathname === '/api/hosts')
        return send(
          res,
          200,
          JSON.stringify({
            hosts: db
              .prepare(
                'SELECT id, hostname, host_type, last_seen, poll_interval, status, current_generation FROM hosts ORDER BY hostname',
              )
              .all(),
          }),
          'application/json',
        )
      return send(
        res,
        200,
        '<!DOCTYPE html><title>NixFleet</title><h1>🚀 NixFleet</h1>',
        'text/html',
      )
    }
    return send(res, 404, JSON.stringify({ detail: 'Not Found' }), 'application/json')
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) =>
      send(res, 500, `Internal Server Error: ${(e as Error).message}`),
    )
  })
  await new Promise<void>((r) => server.listen(cfg.port, cfg.host, r))
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port
  log(`Uvicorn running on http://${cfg.host}:${port} (Press CTRL+C to quit)`)
  return {
    server,
    port,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()))
      server.closeAllConnections()
      await closed
      db.close()
    },
  }
}
