import bcrypt from 'bcryptjs'
import Database from 'better-sqlite3'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DashboardClient } from '../../../../helpers/dashboard/client.ts'
import { seedV1Database } from './seed.ts'
import { loadV1Config, startV1Dashboard } from './server.ts'

/** The simulated v1 dashboard's surface that the migration observes. */
const dir = mkdtempSync(join(tmpdir(), 'nixfleet-v1-'))
const TOKEN = 'v1-shared-api-token-123'
let d: Awaited<ReturnType<typeof startV1Dashboard>>
let c: DashboardClient
const env = {
  NIXFLEET_DATA_DIR: dir,
  NIXFLEET_PASSWORD_HASH: bcrypt.hashSync('pw', 4),
  NIXFLEET_API_TOKEN: TOKEN,
  NIXFLEET_SESSION_SECRETS: 'one,two',
  NIXFLEET_AGENT_TOKEN_HASH_SECRET: 'h',
  PORT: '0',
  HOST: '127.0.0.1',
}

beforeAll(async () => {
  seedV1Database(join(dir, 'nixfleet.db'))
  d = await startV1Dashboard(loadV1Config(env), () => undefined)
  c = new DashboardClient(`http://127.0.0.1:${d.port}`)
})
afterAll(async () => {
  await c.close()
  await d.close()
})

const lastSeen = (host: string): string => {
  const db = new Database(join(dir, 'nixfleet.db'), { readonly: true })
  const row = db.prepare('SELECT last_seen FROM hosts WHERE id = ?').get(host) as {
    last_seen: string
  }
  db.close()
  return row.last_seen
}
const poll = (host: string, token = TOKEN): Promise<{ status: number }> =>
  c.http('POST', `/api/hosts/${host}/register`, {
    body: JSON.stringify({ host_type: 'nixos', current_generation: 'abc1234' }),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  })

describe('v1 dashboard (simulated)', () => {
  it('has the realistic v1 tables and rows', () => {
    const db = new Database(join(dir, 'nixfleet.db'), { readonly: true })
    expect((db.prepare('SELECT count(*) n FROM hosts').get() as { n: number }).n).toBe(9)
    expect((db.prepare('SELECT count(*) n FROM command_log').get() as { n: number }).n).toBe(18)
    expect(
      db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all(),
    ).toEqual(
      expect.arrayContaining([{ name: 'command_log' }, { name: 'hosts' }, { name: 'sessions' }]),
    )
    db.close()
  })

  it('answers /health, the login page, and 404 on /ws', async () => {
    expect(await c.http('GET', '/health')).toMatchObject({
      status: 200,
      body: '{"status":"healthy","version":"1.0.0"}',
    })
    expect((await c.http('GET', '/login')).body).toContain('NixFleet')
    expect((await c.http('GET', '/ws')).status).toBe(404)
  })

  it('a poll with the shared token advances the host’s last poll; a wrong token does not', async () => {
    const before = lastSeen('gpc0')
    expect((await poll('gpc0')).status).toBe(200)
    const after = lastSeen('gpc0')
    expect(after > before).toBe(true)
    expect((await poll('gpc0', 'wrong')).status).toBe(401)
    expect(lastSeen('gpc0')).toBe(after)
  })

  it('rate-limits logins with 429 (v1 used slowapi)', async () => {
    const form = {
      body: 'password=x&totp=',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-real-ip': '198.51.100.7' },
    }
    for (let i = 0; i < 5; i++) expect((await c.http('POST', '/login', form)).status).toBe(302)
    expect((await c.http('POST', '/login', form)).status).toBe(429)
  })

  it('does not start without the v1 secrets', () => {
    expect(() => loadV1Config({ ...env, NIXFLEET_SESSION_SECRETS: undefined })).toThrow(
      /NIXFLEET_SESSION_SECRETS is required/,
    )
  })
})
