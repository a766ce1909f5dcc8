/**
 * The TLS front on simulated csb1, standing in for Traefik: terminates TLS for
 * *.barta.cm with the rehearsal CA's certificate, and routes by Host to the
 * containers that carry Traefik labels for that name (read from csb1's Docker
 * engine through its socket, as Traefik's Docker provider does), HTTP and
 * WebSocket upgrades, adding X-Forwarded-* and X-Real-IP as Traefik does. A
 * name with no router gets Traefik's own "404 page not found".
 */
import { readFileSync } from 'node:fs'
import { request, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer } from 'node:https'
import { connect } from 'node:net'
import type { Duplex } from 'node:stream'
import { backendFor, type Backend, type ListedContainer } from './label-routes.ts'

const dir = process.env.FRONT_DIR ?? '/etc/front'
const DOCKER_SOCKET = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock'
const log = (m: string): void =>
  void process.stderr.write(`${new Date().toISOString()} front: ${m}\n`)

/** The engine's running containers (GET /containers/json over its socket). */
function listContainers(): Promise<ListedContainer[]> {
  return new Promise((resolve, reject) => {
    const r = request(
      { socketPath: DOCKER_SOCKET, path: '/containers/json', timeout: 5000 },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => {
          try {
            resolve(JSON.parse(body) as ListedContainer[])
          } catch {
            reject(
              new Error(
                `the Docker engine answered ${res.statusCode ?? '?'}: ${body.slice(0, 200)}`,
              ),
            )
          }
        })
      },
    )
    r.on('timeout', () => r.destroy(new Error('the Docker engine did not answer within 5 s')))
    r.on('error', reject)
    r.end()
  })
}

async function backend(req: IncomingMessage): Promise<Backend | undefined> {
  const name = (req.headers.host ?? '').split(':')[0]?.toLowerCase() ?? ''
  return backendFor(name, await listContainers())
}

const notFound = (res: ServerResponse): void =>
  void res
    .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
    .end('404 page not found\n')

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
    backend(req).then(
      (b) => (b ? proxy(req, res, b) : notFound(res)),
      (err: Error) => {
        log(`cannot read the routes from the engine: ${err.message}`)
        res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway\n')
      },
    )
  },
)

function proxy(req: IncomingMessage, res: ServerResponse, b: Backend): void {
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
}

server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
  backend(req).then(
    (b) =>
      b
        ? tunnel(req, socket, head, b)
        : socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 19\r\n\r\n404 page not found\n'),
    () => socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'),
  )
})

function tunnel(req: IncomingMessage, socket: Duplex, head: Buffer, b: Backend): void {
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
}

server.listen(443, () => log('listening on :443, routes from container labels'))
process.on('SIGTERM', () => process.exit(0))
