import { mkdtempSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { renderSignoff } from '../report/render-signoff.ts'
import type { RunResults } from '../report/results.ts'
import { setCurrentTest } from '../transcript/current-test.ts'
import { readTranscript, Transcript } from '../transcript/transcript.ts'
import { DashboardClient, openSocket } from './client.ts'

const PASSWORD = 'evidence-pw-<&>-77'
const folder = mkdtempSync(join(tmpdir(), 'exchange-evidence-'))

describe('HTTP and WebSocket exchanges are evidence, as SSH commands are', () => {
  let server: Server
  let base: string
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ws') return void res.writeHead(401).end('unauthorized')
      if (req.url === '/login' && req.method === 'POST')
        return void res.writeHead(302, { location: '/' }).end()
      if (req.url === '/api/hosts') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return void res.end(JSON.stringify({ hosts: [{ hostname: 'gpc0', status: 'online' }] }))
      }
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html><title>NixFleet</title><body data-csrf-token="tok-123456789"></body></html>')
    })
    const wss = new WebSocketServer({ server, path: '/socket' })
    wss.on('connection', (ws) => ws.close())
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    new Transcript(join(folder, 'transcript.jsonl')).useAsRunJournal()
  })
  afterAll(() => {
    server.closeAllConnections()
    server.close()
  })

  it('each request is journalled under the check that made it: method, URL, status, a summary; never a request body or an HTML body', async () => {
    const c = new DashboardClient(base)
    setCurrentTest('/ws without credentials answers 401')
    expect((await c.http('GET', '/ws')).status).toBe(401)
    setCurrentTest('Login with password + TOTP works')
    await c.submitLogin(PASSWORD, '123456')
    await c.http('GET', '/')
    setCurrentTest('Dashboard shows both hosts online')
    await c.http('GET', '/api/hosts')
    const ws = await openSocket(base.replace('http', 'ws') + '/socket', {})
    ws.close()
    setCurrentTest(undefined)
    await c.close()

    const ended = readTranscript(folder).filter((e) => e.outcome !== 'started')
    const host = new URL(base).host
    expect(ended.map((e) => [e.test, e.kind, e.host, e.command, e.exitCode])).toEqual([
      ['/ws without credentials answers 401', 'http', host, `GET ${base}/ws`, 401],
      ['Login with password + TOTP works', 'http', host, `POST ${base}/login`, 302],
      ['Login with password + TOTP works', 'http', host, `GET ${base}/`, 200],
      ['Dashboard shows both hosts online', 'http', host, `GET ${base}/api/hosts`, 200],
      [
        'Dashboard shows both hosts online',
        'ws',
        host,
        `WebSocket upgrade ${base.replace('http', 'ws')}/socket`,
        101,
      ],
    ])
    expect(ended[2]?.stdoutTail).toBe('HTTP 200; text/html, 81 bytes; title "NixFleet"')
    expect(ended[3]?.stdoutTail).toContain('"hostname":"gpc0","status":"online"')
    const text = JSON.stringify(ended)
    expect(text).not.toContain('evidence-pw')
    expect(text).not.toContain('tok-123456789')

    // Under its checkbox in the sign-off, as a request with its status.
    const html = renderSignoff({
      meta: {
        runId: 'r',
        target: 'rehearsal',
        faults: '',
        startedAt: '',
        finishedAt: '',
        operator: 'op',
        machine: 'm',
        runbookCommit: '',
        nixcfgBefore: '',
        nixcfgAfter: '',
        scope: 'all',
      },
      checks: [
        {
          spec: 'specs/phase2-deploy-v2.spec.ts',
          path: [],
          title: 'Login with password + TOTP works',
          status: 'passed',
          durationMs: 10,
          evidence: ended.filter((e) => e.test === 'Login with password + TOTP works'),
        },
      ],
      actions: [],
      unfinished: [],
    } as unknown as RunResults)
    expect(html).toContain(`<code>POST ${base}/login</code> → HTTP 302`)
    expect(html).toContain('evidence (2 entries: commands and requests)')
  })
})
