import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { dashboardDownReason } from './dashboard-down.ts'

/** A front answering each path with [status, body] (Go's and Traefik's 404 are the same text). */
async function front(routes: Record<string, [number, string]>): Promise<string> {
  server = createServer((req, res) => {
    const [status, body] = routes[req.url ?? ''] ?? [404, '404 page not found\n']
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body)
  })
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
let server: Server | undefined
afterEach(() => {
  server?.closeAllConnections()
  server?.close()
  server = undefined
})

describe('why agents cannot connect: only when the dashboard is down', () => {
  it('a dashboard answering /health is up', async () => {
    const url = await front({ '/health': [200, '{"status":"ok"}'] })
    expect(await dashboardDownReason('production', url)).toBeUndefined()
  })

  it('one serving /login without /health (before nixfleet 6933b5f) is up too: its agents connect', async () => {
    const url = await front({ '/login': [200, '<title>NixFleet</title>'] })
    expect(await dashboardDownReason('production', url)).toBeUndefined()
  })

  it("no router for either (Traefik's 404), or a 502, is down, and says what each answered", async () => {
    const url = await front({})
    expect(await dashboardDownReason('production', url)).toBe(
      `the dashboard at ${url} answers /health with HTTP 404 and /login with HTTP 404`,
    )
    server?.close()
    const bad = await front({ '/health': [502, 'Bad Gateway'], '/login': [502, 'Bad Gateway'] })
    expect(await dashboardDownReason('production', bad)).toMatch(/\/health with HTTP 502/)
  })
})
