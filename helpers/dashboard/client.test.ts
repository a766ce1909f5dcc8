import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quietWindowFor, MAX_QUIET_WINDOW_MS, V1PollProbe } from './v1-polls.ts'
import { DashboardClient } from './client.ts'

describe('HTTP requests end on time', () => {
  let server: Server
  let base: string
  beforeAll(async () => {
    // A server that answers at once, then trickles one byte every 200 ms and never ends.
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      const t = setInterval(() => res.write('.'), 200)
      res.on('close', () => clearInterval(t))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => {
    server.closeAllConnections()
    server.close()
  })

  it('a trickling body cannot hold a request past its total deadline', async () => {
    const c = new DashboardClient(base, { timeoutMs: 800 })
    const started = Date.now()
    await expect(c.http('GET', '/login')).rejects.toThrow(
      /GET http:\/\/127\.0\.0\.1:\d+\/login: no complete answer within 800 ms/,
    )
    // The idle timeout alone (800 ms between bytes) would never fire here.
    expect(Date.now() - started).toBeLessThan(2000)
    await c.close()
  })
})

describe('the quiet window derived from v1 poll intervals', () => {
  it('is two of the slowest intervals, at least 20 s, and capped', () => {
    expect(quietWindowFor([30, 60])).toBe(120_000)
    expect(quietWindowFor([5])).toBe(20_000)
    // A poll_interval of a day must not make phase 1 wait two days.
    expect(quietWindowFor([86_400])).toBe(MAX_QUIET_WINDOW_MS)
    expect(quietWindowFor([])).toBe(20_000)
  })
})

describe('the v1 dashboard read through a front that is still starting', () => {
  it('a reset connection is tried again until the front answers; an answer ends it at once', async () => {
    let calls = 0
    const server = createServer((req, res) => {
      // The first two connections are reset, as a TLS front still starting does.
      if (++calls <= 2) return void req.socket.destroy()
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify([{ hostname: 'gpc0', last_seen: '2025-12-14T10:00:00Z' }]))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const c = new DashboardClient(base, { timeoutMs: 2000 })
    try {
      const rows = await new V1PollProbe(c).rows()
      expect(rows.get('gpc0')?.last_seen).toBe('2025-12-14T10:00:00Z')
      expect(calls).toBe(3)
    } finally {
      await c.close()
      server.closeAllConnections()
      server.close()
    }
  }, 30_000)

  it('Traefik’s own 404 (no router while the container’s health check has not passed) is waited out', async () => {
    let calls = 0
    const server = createServer((_req, res) => {
      if (++calls <= 2) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        return void res.end('404 page not found\n')
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify([{ hostname: 'hsb0', last_seen: null }]))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const c = new DashboardClient(base, { timeoutMs: 2000 })
    try {
      expect((await new V1PollProbe(c).rows()).has('hsb0')).toBe(true)
      expect(calls).toBe(3)
    } finally {
      await c.close()
      server.closeAllConnections()
      server.close()
    }
  }, 30_000)
})
