/** Entry point of the simulated v2 dashboard container (CMD nixfleet-dashboard). */
import { readFileSync } from 'node:fs'
import { behaviourAt, readRevisions } from '../revisions.ts'
import { loadConfig } from './config.ts'
import { startDashboard } from './server.ts'

const log = (msg: string): void =>
  void process.stderr.write(`${new Date().toISOString()} INF ${msg}\n`)
try {
  const cfg = loadConfig(process.env)
  // The revision this image was built from (the checkout's REVISION, beside the bundle)
  // decides what the dashboard does; an unknown one stops it, named.
  const revision = readFileSync(new URL('./REVISION', import.meta.url), 'utf8').trim()
  const behaviour = behaviourAt(
    revision,
    readRevisions(new URL('./nixfleet-revs.json', import.meta.url).pathname),
  )
  const d = await startDashboard(cfg, log, behaviour)
  process.on('SIGTERM', () => void d.close().then(() => process.exit(0)))
} catch (err) {
  process.stderr.write(`${new Date().toISOString()} FTL ${(err as Error).message}\n`)
  process.exit(1)
}
