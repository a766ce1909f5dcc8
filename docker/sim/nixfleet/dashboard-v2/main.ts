/** Entry point of the simulated v2 dashboard container (CMD nixfleet-dashboard). */
import { loadConfig } from './config.ts'
import { startDashboard } from './server.ts'

const log = (msg: string): void =>
  void process.stderr.write(`${new Date().toISOString()} INF ${msg}\n`)
try {
  const cfg = loadConfig(process.env)
  const d = await startDashboard(cfg, log)
  process.on('SIGTERM', () => void d.close().then(() => process.exit(0)))
} catch (err) {
  process.stderr.write(`${new Date().toISOString()} FTL ${(err as Error).message}\n`)
  process.exit(1)
}
