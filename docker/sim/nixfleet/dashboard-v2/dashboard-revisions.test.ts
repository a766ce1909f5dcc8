import bcrypt from 'bcryptjs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import { collectFrames, DashboardClient, openSocket } from '../../../../helpers/dashboard/client.ts'
import { sendCommand } from '../../../../helpers/dashboard/commands.ts'
import { behaviourAt, readRevisions } from '../revisions.ts'
import { loadConfig } from './config.ts'
import { startDashboard, type RunningDashboard } from './server.ts'

/**
 * The simulated dashboard at the real revisions of the migration day
 * (reference §2): what the day's dashboard did, each behaviour shown at the
 * revision before its fix and at the fix.
 */
const REVS = readRevisions(fileURLToPath(new URL('../../../nixfleet-revs.json', import.meta.url)))
const AT = {
  deployed: '40a6392c56e5d51176692385132e560339e9859f',
  storesHosts: '2dc955d87fa5a48e817784a382a0db0100b45eb5',
  health: '6933b5f0147eb12adc0189afb7719b45593b5831',
  evening: 'b860b3afca73335c847c1d9ed4fd793d4e7b966c',
  deadlockFixed: 'de150459032f0bde753f0c0f2fa3f4e35b06fbfe',
}
const PASSWORD = 'rehearsal-password-7f3a'
const TOKEN = 'agent-token-0123456789abcdef'

let d: RunningDashboard | undefined
let dir = ''
afterEach(async () => {
  await d?.close()
  d = undefined
  rmSync(dir, { recursive: true, force: true })
})

async function dashboardAt(revision: string): Promise<{ base: string; c: DashboardClient }> {
  dir = mkdtempSync(join(tmpdir(), 'nixfleet-rev-'))
  d = await startDashboard(
    loadConfig({
      NIXFLEET_PASSWORD_HASH: bcrypt.hashSync(PASSWORD, 4),
      NIXFLEET_SESSION_SECRET: 's',
      NIXFLEET_AGENT_TOKEN: TOKEN,
      NIXFLEET_LISTEN: '127.0.0.1:0',
      NIXFLEET_DATA_DIR: dir,
    }),
    () => undefined,
    behaviourAt(revision, REVS),
  )
  const base = `http://127.0.0.1:${d.port}`
  const c = new DashboardClient(base, { timeoutMs: 3000 })
  await c.login(PASSWORD, undefined)
  return { base, c }
}

async function register(port: number, hostname: string): Promise<WebSocket> {
  const ws = await openSocket(`ws://127.0.0.1:${port}/ws`, { Authorization: `Bearer ${TOKEN}` })
  const ack = collectFrames(ws, (f) => f.some((x) => x.type === 'registered'), 3000)
  ws.send(JSON.stringify({ type: 'register', payload: { hostname, host_type: 'nixos' } }))
  await ack
  return ws
}

/** gpc0 and the Mac registered, then gpc0 disconnects and is marked offline (from 29f2b4e). */
async function afterGpc0Disconnects(
  revision: string,
): Promise<{ c: DashboardClient; mac: WebSocket }> {
  const { c } = await dashboardAt(revision)
  const gpc0 = await register(d!.port, 'gpc0')
  const mac = await register(d!.port, 'mba-mbp-work')
  gpc0.close()
  await expect
    .poll(async () => (await c.hosts()).find((h) => h.hostname === 'gpc0')?.status)
    .toBe('offline')
  return { c, mac }
}

describe('the simulated dashboard at the day’s revisions', () => {
  it('40a6392 (deployed 13:24): a registered host is not stored, /api/hosts is {"hosts":null}; no /health', async () => {
    const { c } = await dashboardAt(AT.deployed)
    const ws = await register(d!.port, 'gpc0')
    expect((await c.http('GET', '/api/hosts')).body).toBe('{"hosts":null}')
    expect((await c.http('GET', '/health')).status).toBe(404)
    ws.close()
  })

  it('2dc955d stores it; /health still 404 until 6933b5f', async () => {
    const { c } = await dashboardAt(AT.storesHosts)
    await register(d!.port, 'gpc0')
    expect((await c.hosts()).map((h) => h.hostname)).toEqual(['gpc0'])
    expect((await c.http('GET', '/health')).status).toBe(404)
    await d!.close()
    d = undefined
    const at = await dashboardAt(AT.health)
    expect((await at.c.http('GET', '/health')).status).toBe(200)
  })

  it('before 29f2b4e a disconnected host stays "online"', async () => {
    const { c } = await dashboardAt(AT.health)
    const ws = await register(d!.port, 'gpc0')
    ws.close()
    await new Promise((r) => setTimeout(r, 300))
    expect((await c.hosts()).find((h) => h.hostname === 'gpc0')?.status).toBe('online')
  })

  it('b860b3a (the evening): after one disconnect the hub is stuck; login, /health and /ws still answer, commands never arrive', async () => {
    const { c, mac } = await afterGpc0Disconnects(AT.evening)
    // Everything a health probe looks at still answers.
    expect((await c.http('GET', '/health')).status).toBe(200)
    expect((await c.http('GET', '/login')).status).toBe(302)
    expect((await c.http('GET', '/ws')).status).toBe(401)
    // The Mac is still connected, but its command never gets an answer; the runbook says why.
    await expect(c.command('mba-mbp-work', 'pull')).rejects.toThrow(/no complete answer within 3 s/)
    await expect(sendCommand(c, 'mba-mbp-work', 'pull', 5000)).rejects.toThrow(
      /no complete answer within 3 s.*; \/health still answers 200, so the dashboard is up but handles no command: restart its container/,
    )
    // A new agent connects but is never registered.
    const again = await openSocket(`ws://127.0.0.1:${d!.port}/ws`, {
      Authorization: `Bearer ${TOKEN}`,
    })
    const ack = collectFrames(again, (f) => f.some((x) => x.type === 'registered'), 1500)
    again.send(JSON.stringify({ type: 'register', payload: { hostname: 'gpc0' } }))
    await expect(ack).rejects.toThrow()
    for (const s of [mac, again]) s.terminate()
  })

  it('de15045: the same disconnect leaves the hub working', async () => {
    const { c, mac } = await afterGpc0Disconnects(AT.deadlockFixed)
    const cmd = collectFrames(mac, (f) => f.some((x) => x.type === 'command'), 3000)
    expect((await c.command('mba-mbp-work', 'pull')).status).toBe(200)
    await cmd
    mac.close()
  })
})
