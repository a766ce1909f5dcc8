/**
 * The TLS front on simulated csb1, standing in for Traefik: terminates TLS for
 * *.barta.cm with the rehearsal CA's certificate, and routes by Host to the
 * containers on the csb1_traefik network (HTTP and WebSocket upgrades), adding
 * X-Forwarded-* and X-Real-IP as Traefik does. Routes come from routes.json:
 * { "fleet.barta.cm": "nixfleet:8000", … }.
 */
import { readFileSync } from 'node:fs'
import { request, type IncomingMessage } from 'node:http'
import { createServer } from 'node:https'
import { connect } from 'node:net'
import type { Duplex } from 'node:stream'

const dir = process.env.FRONT_DIR ?? '/etc/front'
const routes = JSON.parse(readFileSync(`${dir}/routes.json`, 'utf8')) as Record<string, string>
const log = (m: string): void =>
  void process.stderr.write(`${new Date().toISOString()} front: ${m}\n`)

function backend(req: IncomingMessage): { host: string; port: number } | undefined {
  const name = (req.headers.host ?? '').split(':')[0]?.toLowerCase() ?? ''
  const target = routes[name]
  if (!target) return undefined
  const [host, port] = target.split(':')
  return { host: host as string, port: Number(port) }
}

function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const ip = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? ''
  return {
    'x-forwarded-proto': 'https',
    'x-forwarded-host': req.headers.host ?? '',
    'x-forwarded-for': ip,
    'x-real-ip': ip,
  }
}

const server = createServer(
  { key: readFileSync(`${dir}/tls.key`), cert: readFileSync(`${dir}/tls.crt`) },
  (req, res) => {
    const b = backend(req)
    if (!b) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n')
      return
    }
    const up = request(
      {
        host: b.host,
        port: b.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, ...forwardedHeaders(req) },
        timeout: 30_000,
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers)
        r.pipe(res)
      },
    )
    up.on('error', (e) => {
      log(`${req.headers.host ?? ''} -> ${b.host}:${b.port}: ${e.message}`)
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end('Bad Gateway\n')
    })
    req.pipe(up)
  },
)

server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
  const b = backend(req)
  if (!b) return socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
  const up = connect(b.port, b.host, () => {
    const headers = { ...req.headers, ...forwardedHeaders(req) }
    const lines = [
      `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`,
      ...Object.entries(headers).map(
        ([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`,
      ),
    ]
    up.write(lines.join('\r\n') + '\r\n\r\n')
    if (head.length) up.write(head)
    up.pipe(socket)
    socket.pipe(up)
  })
  up.on('error', () => socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'))
  socket.on('error', () => up.destroy())
})

server.listen(443, () => log(`listening on :443 for ${Object.keys(routes).join(', ')}`))
process.on('SIGTERM', () => process.exit(0))
