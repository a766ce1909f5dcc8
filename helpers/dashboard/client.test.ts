import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quietWindowFor, MAX_QUIET_WINDOW_MS } from './v1-polls.ts'
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
