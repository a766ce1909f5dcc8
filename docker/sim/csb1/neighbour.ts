/**
 * A neighbouring service on csb1 (Grafana, Paperless, …) as far as the
 * migration cares: it answers its name with 200 on / and /health. Rehearsal
 * faults stop its container to show that the neighbour guard notices.
 */
import { createServer } from 'node:http'

const name = process.env.SERVICE_NAME ?? 'service'
createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'x-served-by': name })
  res.end(`${name} ok ${req.url ?? '/'}\n`)
}).listen(Number(process.env.PORT ?? '3000'), () => process.stderr.write(`${name} listening\n`))
process.on('SIGTERM', () => process.exit(0))
