import { Agent, request, type Dispatcher } from 'undici'
import WebSocket from 'ws'
import { registerSecret } from '../secrets/redact.ts'
import { formatMs, sleep } from '../time/duration.ts'
import { journalExchange } from '../transcript/transcript.ts'
import { totpCode, totpSecondsLeft } from './totp.ts'

export interface HttpResult {
  status: number
  location?: string
  body: string
  setCookies: string[]
  contentType?: string
  /** The server's Date header (its own clock: what "now" is for its timestamps). */
  date?: string
}

/** One row of the v2 dashboard's `/api/hosts`. */
export interface HostRow {
  hostname: string
  status: string
  generation: string
  last_seen: string | null
  pending_command: string | null
}

/**
 * What an exchange's evidence shows: status, redirect, content type and
 * size, an HTML page's title, and the start of a JSON body (what host lists
 * and command answers are judged by). Never an HTML body: the dashboard's
 * page carries the CSRF token before the client has learnt it as a secret.
 */
export function exchangeSummary(r: HttpResult): string {
  const type = r.contentType?.split(';')[0]?.trim() || 'no content type'
  let s = `HTTP ${r.status}${r.location ? ` → ${r.location}` : ''}; ${type}, ${Buffer.byteLength(r.body)} bytes`
  const title = /<title>([^<]{0,120})<\/title>/i.exec(r.body)?.[1]
  if (title) s += `; title "${title.trim()}"`
  if (/json/.test(type)) s += `\n${r.body.slice(0, 600)}`
  return s
}

export interface ClientOptions {
  /** TLS and name resolution for the dashboard (rehearsal: its CA, 127.0.0.1). */
  dispatcher?: Dispatcher
  /** For WebSocket connections: the same TLS settings as the dispatcher. */
  ws?: {
    ca?: string
    lookup?: (
      host: string,
      opts: object,
      cb: (e: Error | null, addr: string, family: number) => void,
    ) => void
  }
  timeoutMs?: number
}

export class DashboardError extends Error {
  override name = 'DashboardError'
}

/**
 * The NixFleet v2 dashboard as a person uses it: the login form (password +
 * TOTP), the session cookie, the CSRF token scraped from the page, the hosts
 * API, commands, and the browser WebSocket. The session cookie is registered
 * as a secret the moment it is received.
 */
export class DashboardClient {
  private cookie: string | undefined
  private csrfToken: string | undefined
  /** Its own connection pool: a dashboard restart must not leave this client a stale pooled socket. */
  private readonly dispatcher: Dispatcher

  constructor(
    readonly baseUrl: string,
    private readonly opts: ClientOptions = {},
  ) {
    this.dispatcher = opts.dispatcher ?? new Agent({ keepAliveTimeout: 1000 })
  }

  async close(): Promise<void> {
    if (!this.opts.dispatcher) await this.dispatcher.close()
  }

  /**
   * One request, with a total deadline over the headers and the whole body
   * (an idle timeout alone lets a server trickling a byte at a time hold it
   * for ever).
   */
  async http(
    method: string,
    path: string,
    o: { body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<HttpResult> {
    const timeout = o.timeoutMs ?? this.opts.timeoutMs ?? 15_000
    const url = new URL(path, this.baseUrl)
    return journalExchange('http', url, method, async () => {
      const r = await this.request(method, url, o, timeout)
      return { value: r, status: r.status, summary: exchangeSummary(r) }
    })
  }

  private async request(
    method: string,
    url: URL,
    o: { body?: string; headers?: Record<string, string> },
    timeout: number,
  ): Promise<HttpResult> {
    const signal = AbortSignal.timeout(timeout)
    let res: Dispatcher.ResponseData
    let body: string
    try {
      res = await request(url, {
        method: method,
        headers: {
          ...(this.cookie ? { cookie: `nixfleet_session=${this.cookie}` } : {}),
          ...o.headers,
        },
        ...(o.body !== undefined ? { body: o.body } : {}),
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal,
        dispatcher: this.dispatcher,
      })
      body = await res.body.text()
    } catch (err) {
      // undici's own header/body timers run out at the same moment as the signal: the same deadline.
      const code = (err as { code?: string }).code
      if (signal.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
        throw new DashboardError(
          `${method} ${url.href}: no complete answer within ${formatMs(timeout)} (the request was abandoned)`,
          { cause: err },
        )
      throw err
    }
    const raw = res.headers['set-cookie']
    const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
    const location = res.headers.location as string | undefined
    const type = String(res.headers['content-type'] ?? '')
    const date = res.headers.date as string | undefined
    return {
      status: res.statusCode,
      ...(location ? { location } : {}),
      body,
      setCookies,
      ...(type ? { contentType: type } : {}),
      ...(date ? { date } : {}),
    }
  }

  /** POSTs the login form; returns the redirect. A session cookie, if set, is kept. */
  async submitLogin(password: string, totp: string): Promise<HttpResult> {
    const r = await this.http('POST', '/login', {
      body: new URLSearchParams({ password, totp }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    const c = r.setCookies.map((s) => /^nixfleet_session=([^;]+)/.exec(s)?.[1]).find(Boolean)
    if (c) {
      registerSecret('nixfleet_session', c)
      this.cookie = c
    }
    return r
  }

  /** Submits the form with a fresh TOTP code, waiting out a window about to expire. */
  async submitLoginNow(password: string, totpSecret: string | undefined): Promise<HttpResult> {
    if (totpSecret && totpSecondsLeft() < 3) await sleep(totpSecondsLeft() * 1000 + 200)
    return this.submitLogin(password, totpSecret ? await totpCode(totpSecret) : '')
  }

  /** Logs in with password and a fresh TOTP code, then reads the CSRF token from the page. */
  async login(password: string, totpSecret: string | undefined): Promise<void> {
    const r = await this.submitLoginNow(password, totpSecret)
    if (r.status !== 302)
      throw new DashboardError(
        `login to ${this.baseUrl} failed: the login form answered HTTP ${r.status} (the dashboard is not serving it)`,
      )
    if (r.location !== '/' || !this.cookie) {
      throw new DashboardError(
        `login to ${this.baseUrl} refused: HTTP ${r.status} → ${r.location ?? '(no redirect)'}`,
      )
    }
    const page = await this.http('GET', '/')
    const csrf = /data-csrf-token="([^"]+)"/.exec(page.body)?.[1]
    if (page.status !== 200 || !csrf)
      throw new DashboardError(`dashboard page after login: HTTP ${page.status}, no CSRF token`)
    registerSecret('csrf_token', csrf)
    this.csrfToken = csrf
  }

  get loggedIn(): boolean {
    return this.cookie !== undefined
  }

  async hosts(): Promise<HostRow[]> {
    return (await this.hostList()).hosts
  }

  /** The host list with the dashboard's own time of the answer (its Date header; ours without one). */
  async hostList(): Promise<{ hosts: HostRow[]; serverNow: number }> {
    const r = await this.http('GET', '/api/hosts')
    if (r.status !== 200)
      throw new DashboardError(
        `GET /api/hosts: HTTP ${r.status}${r.location ? ` → ${r.location}` : ''}`,
      )
    const serverNow = r.date ? Date.parse(r.date) : NaN
    return {
      hosts: (JSON.parse(r.body) as { hosts: HostRow[] | null }).hosts ?? [],
      serverNow: Number.isNaN(serverNow) ? Date.now() : serverNow,
    }
  }

  async command(host: string, command: string, withCsrf = true): Promise<HttpResult> {
    return this.http('POST', `/api/hosts/${encodeURIComponent(host)}/command`, {
      body: JSON.stringify({ command }),
      headers: {
        'content-type': 'application/json',
        ...(withCsrf && this.csrfToken ? { 'x-csrf-token': this.csrfToken } : {}),
      },
    })
  }

  /** The browser's WebSocket (session cookie), resolved once open. */
  browserSocket(): Promise<WebSocket> {
    return openSocket(
      this.wsUrl(),
      { ...(this.cookie ? { Cookie: `nixfleet_session=${this.cookie}` } : {}) },
      this.opts,
    )
  }

  wsUrl(): string {
    return this.baseUrl.replace(/^http/, 'ws').replace(/\/$/, '') + '/ws'
  }
}

/** Opens a WebSocket or rejects with the HTTP status the server answered instead of upgrading. */
export function openSocket(
  url: string,
  headers: Record<string, string>,
  opts: ClientOptions = {},
): Promise<WebSocket> {
  return journalExchange('ws', new URL(url), 'WebSocket upgrade', async () => {
    const ws = await upgrade(url, headers, opts)
    return { value: ws, status: 101, summary: 'HTTP 101: upgraded, socket open' }
  })
}

function upgrade(
  url: string,
  headers: Record<string, string>,
  opts: ClientOptions,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers,
      handshakeTimeout: opts.timeoutMs ?? 10_000,
      ...(opts.ws?.ca ? { ca: opts.ws.ca } : {}),
      ...(opts.ws?.lookup ? { lookup: opts.ws.lookup } : {}),
    })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (req, res) => {
      req.destroy()
      reject(new DashboardError(`WebSocket ${url} refused: HTTP ${res.statusCode ?? '?'}`))
    })
    ws.once('error', reject)
  })
}

/** Collects frames of given types from a socket until `until` says enough, or the deadline. */
export function collectFrames(
  ws: WebSocket,
  until: (frames: { type: string; payload: Record<string, unknown> }[]) => boolean,
  timeoutMs: number,
): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  return new Promise((resolve, reject) => {
    const frames: { type: string; payload: Record<string, unknown> }[] = []
    const timer = setTimeout(() => {
      ws.off('message', on)
      reject(
        new DashboardError(
          `expected frames did not arrive within ${timeoutMs} ms; got: ${frames.map((f) => f.type).join(', ') || 'none'}`,
        ),
      )
    }, timeoutMs)
    const on = (data: Buffer): void => {
      frames.push(JSON.parse(data.toString()) as { type: string; payload: Record<string, unknown> })
      if (until(frames)) {
        clearTimeout(timer)
        ws.off('message', on)
        resolve(frames)
      }
    }
    ws.on('message', on)
  })
}

export { Agent }
