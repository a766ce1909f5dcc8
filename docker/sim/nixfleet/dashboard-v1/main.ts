/** Entry point of the simulated v1 dashboard container. */
import { loadV1Config, startV1Dashboard } from './server.ts'

const log = (m: string): void => void process.stderr.write(`INFO:     ${m}\n`)
try {
  const d = await startV1Dashboard(loadV1Config(process.env), log)
  process.on('SIGTERM', () => void d.close().then(() => process.exit(0)))
} catch (err) {
  process.stderr.write(`ERROR:    ${(err as Error).message}\n`)
  process.exit(1)
}
