import bcrypt from 'bcryptjs'
import Database from 'better-sqlite3'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import { collectFrames, DashboardClient, openSocket } from '../../../../helpers/dashboard/client.ts'
import { totpCode } from '../../../../helpers/dashboard/totp.ts'
import { ALL_FIXED } from '../revisions.ts'
import { loadConfig } from './config.ts'
import { startDashboard, type RunningDashboard } from './server.ts'

/**
 * Contract tests of the simulated v2 dashboard: the behaviours NixFleet's own
 * integration tests checked (reference §7.1, t04-t06), against a real HTTP
 * server, real WebSockets and a real SQLite file.
 */
const PASSWORD = 'rehearsal-password-7f3a'
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
const AGENT_TOKEN = 'agent-token-0123456789abcdef'
const dataDir = mkdtempSync(join(tmpdir(), 'nixfleet-v2-'))
const env = {
  NIXFLEET_PASSWORD_HASH: bcrypt.hashSync(PASSWORD, 4),
  NIXFLEET_SESSION_SECRET: 'unused-but-required',
  NIXFLEET_AGENT_TOKEN: AGENT_TOKEN,
  NIXFLEET_TOTP_SECRET: TOTP_SECRET,
  NIXFLEET_LISTEN: '127.0.0.1:0',
  NIXFLEET_DATA_DIR: dataDir,
}

let d: RunningDashboard
let base: string
const start = async (): Promise<void> => {
  d = await startDashboard(loadConfig(env), () => undefined, ALL_FIXED)
  base = `http://127.0.0.1:${d.port}`
}
const agent = (token = AGENT_TOKEN): Promise<WebSocket> =>
  openSocket(`ws://127.0.0.1:${d.port}/ws`, { Authorization: `Bearer ${token}` })
const register = async (hostname: string): Promise<WebSocket> => {
  const ws = await agent()
  const ack = collectFrames(ws, (f) => f.some((x) => x.type === 'registered'), 5000)
  ws.send(
    JSON.stringify({
      type: 'register',
      payload: {
        hostname,
        host_type: 'nixos',
        agent_version: '2.0.0',
        os_version: '24.11',
        nixpkgs_version: 'abc',
        generation: '1234567',
        heartbeat_interval: 30,
      },
    }),
  )
  expect((await ack).find((f) => f.type === 'registered')?.payload).toEqual({ host_id: hostname })
  return ws
}
const loggedIn = async (): Promise<DashboardClient> => {
  const c = new DashboardClient(base)
  await c.login(PASSWORD, TOTP_SECRET)
  return c
}

beforeAll(start)
afterAll(() => d.close())

describe('v2 dashboard: configuration', () => {
  it('stops with the real message when a required variable is missing, and ignores v1 names', () => {
    expect(() => loadConfig({ ...env, NIXFLEET_AGENT_TOKEN: undefined })).toThrow(
      'failed to load configuration: NIXFLEET_AGENT_TOKEN is required',
    )
    const v1 = {
      NIXFLEET_PASSWORD_HASH: env.NIXFLEET_PASSWORD_HASH,
      NIXFLEET_SESSION_SECRETS: 'a,b',
      NIXFLEET_API_TOKEN: AGENT_TOKEN,
    }
    expect(() => loadConfig(v1)).toThrow(
      'failed to load configuration: NIXFLEET_SESSION_SECRET is required; NIXFLEET_AGENT_TOKEN is required',
    )
  })
})

describe('v2 dashboard: HTTP surface without a session', () => {
  it('/health answers {"status":"ok"}', async () => {
    expect(await new DashboardClient(base).http('GET', '/health')).toMatchObject({
      status: 200,
      body: '{"status":"ok"}',
    })
  })

  it('/login is a page containing NixFleet with password and totp fields', async () => {
    const r = await new DashboardClient(base).http('GET', '/login')
    expect(r.status).toBe(200)
    expect(r.body).toContain('NixFleet')
    expect(r.body).toMatch(/name="password"/)
    expect(r.body).toMatch(/name="totp"/)
  })

  it('pages and API redirect to /login', async () => {
    const c = new DashboardClient(base)
    expect(await c.http('GET', '/')).toMatchObject({ status: 302, location: '/login' })
    expect(await c.http('GET', '/api/hosts')).toMatchObject({ status: 302, location: '/login' })
    expect(await c.command('gpc0', 'pull')).toMatchObject({ status: 302, location: '/login' })
  })

  it('/ws answers 401 without credentials or with a wrong token', async () => {
    expect((await new DashboardClient(base).http('GET', '/ws')).status).toBe(401)
    await expect(openSocket(`ws://127.0.0.1:${d.port}/ws`, {})).rejects.toThrow(/HTTP 401/)
    await expect(agent('wrong-token')).rejects.toThrow(/HTTP 401/)
  })
})

describe('v2 dashboard: login', () => {
  it('password + TOTP logs in: 302 to /, HttpOnly SameSite=Lax cookie, one session row', async () => {
    const before = d.store.sessionCount()
    const c = new DashboardClient(base)
    const r = await c.submitLogin(PASSWORD, await totpCode(TOTP_SECRET))
    expect(r).toMatchObject({ status: 302, location: '/' })
    expect(r.setCookies[0]).toMatch(
      /^nixfleet_session=[A-Za-z0-9_-]{43}=; Path=\/; Expires=.*; HttpOnly; SameSite=Lax/,
    )
    expect(d.store.sessionCount()).toBe(before + 1)
  })

  it('each failure is a 302 with its error and no cookie', async () => {
    const c = new DashboardClient(base)
    const wrongPw = await c.submitLogin('nope', await totpCode(TOTP_SECRET))
    expect(wrongPw).toMatchObject({
      status: 302,
      location: '/login?error=Invalid+password',
      setCookies: [],
    })
    const wrongTotp = await c.submitLogin(PASSWORD, '000000')
    expect(wrongTotp).toMatchObject({
      status: 302,
      location: '/login?error=Invalid+TOTP+code',
      setCookies: [],
    })
    const noTotp = await c.submitLogin(PASSWORD, '')
    expect(noTotp.location).toBe('/login?error=Invalid+TOTP+code')
  })

  it('accepts a code one step old and refuses one two steps old', async () => {
    const c = new DashboardClient(base)
    expect(
      (await c.submitLogin(PASSWORD, await totpCode(TOTP_SECRET, Date.now() - 30_000))).location,
    ).toBe('/')
    expect(
      (await c.submitLogin(PASSWORD, await totpCode(TOTP_SECRET, Date.now() - 65_000))).location,
    ).toBe('/login?error=Invalid+TOTP+code')
  })

  it('rate-limits the sixth attempt per client per minute (302, not 429)', async () => {
    const c = new DashboardClient(base)
    const ip = { 'x-real-ip': '203.0.113.9', 'content-type': 'application/x-www-form-urlencoded' }
    for (let i = 0; i < 5; i++)
      expect(
        (await c.http('POST', '/login', { body: 'password=x&totp=1', headers: ip })).location,
      ).toBe('/login?error=Invalid+password')
    expect(
      await c.http('POST', '/login', { body: 'password=x&totp=1', headers: ip }),
    ).toMatchObject({ status: 302, location: '/login?error=Too+many+attempts.+Please+wait.' })
  })

  it('mutations need the CSRF token: 403 without it', async () => {
    const c = await loggedIn()
    expect((await c.command('gpc0', 'pull', false)).status).toBe(403)
    expect((await c.command('gpc0', 'pull')).status).not.toBe(403)
  })
})

describe('v2 dashboard: agents and commands', () => {
  it('register → online; disconnect → offline', async () => {
    const c = await loggedIn()
    const ws = await register('gpc0')
    expect((await c.hosts()).find((h) => h.hostname === 'gpc0')).toMatchObject({
      status: 'online',
      generation: '1234567',
    })
    ws.close()
    await expect
      .poll(async () => (await c.hosts()).find((h) => h.hostname === 'gpc0')?.status, {
        timeout: 3000,
      })
      .toBe('offline')
  })

  it('a heartbeat reaches every browser as host_update', async () => {
    const c = await loggedIn()
    const [b1, b2] = [await c.browserSocket(), await c.browserSocket()]
    const ws = await register('hsb1')
    const got = [b1, b2].map((b) =>
      collectFrames(
        b,
        (f) => f.some((x) => x.type === 'host_update' && x.payload.generation === '7654321'),
        5000,
      ),
    )
    ws.send(
      JSON.stringify({
        type: 'heartbeat',
        payload: {
          generation: '7654321',
          nixpkgs_version: 'abc',
          pending_command: null,
          command_pid: null,
          metrics: null,
        },
      }),
    )
    for (const frames of await Promise.all(got))
      expect(frames.at(-1)).toMatchObject({
        type: 'host_update',
        payload: { host_id: 'hsb1', online: true },
      })
    for (const s of [ws, b1, b2]) s.close()
  })

  it('a command round trip: queued, command frame, ordered output, status with exit code', async () => {
    const c = await loggedIn()
    const browser = await c.browserSocket()
    const ws = await register('mba-mbp-work')
    const cmdFrame = collectFrames(ws, (f) => f.some((x) => x.type === 'command'), 5000)
    const seen = collectFrames(browser, (f) => f.some((x) => x.type === 'command_complete'), 5000)
    expect(await c.command('mba-mbp-work', 'pull')).toMatchObject({
      status: 200,
      body: '{"status":"queued","command":"pull"}',
    })
    expect((await cmdFrame).at(-1)).toEqual({
      type: 'command',
      payload: { command: 'pull', args: null },
    })
    for (const line of ['Fetching origin', 'HEAD is now at 1a2b3c4'])
      ws.send(JSON.stringify({ type: 'output', payload: { line, stream: 'stdout' } }))
    ws.send(
      JSON.stringify({
        type: 'status',
        payload: { status: 'ok', command: 'pull', exit_code: 0, message: '' },
      }),
    )
    const frames = await seen
    expect(frames.filter((f) => f.type === 'command_output').map((f) => f.payload.line)).toEqual([
      'Fetching origin',
      'HEAD is now at 1a2b3c4',
    ])
    expect(frames.at(-1)).toMatchObject({
      type: 'command_complete',
      payload: { host_id: 'mba-mbp-work', status: 'ok', exit_code: 0 },
    })
    ws.close()
    browser.close()
  })

  it('409 for a host without a live connection', async () => {
    const c = await loggedIn()
    expect(await c.command('imac0', 'pull')).toMatchObject({ status: 409, body: 'Host offline\n' })
  })

  it('hosts and sessions survive a restart (SQLite, WAL); hosts come back offline', async () => {
    const c = await loggedIn()
    await register('csb1')
    await d.close()
    await start()
    const after = new DashboardClient(base)
    Object.assign(after, { cookie: (c as unknown as { cookie: string }).cookie })
    const hosts = await after.hosts()
    expect(hosts.map((h) => h.hostname)).toEqual(
      expect.arrayContaining(['gpc0', 'hsb1', 'mba-mbp-work', 'csb1']),
    )
    expect(hosts.find((h) => h.hostname === 'csb1')?.status).toBe('offline')
    const db = new Database(join(dataDir, 'nixfleet.db'), { readonly: true })
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
  })
})
