import { registerPresentSecrets } from '../secrets/secrets.ts'
import { closeSecretSpool, openSecretSpool } from '../secrets/secret-spool.ts'

/**
 * The first thing a runbook run does, in Vitest's main process before any
 * worker starts: the run's secret spool is opened (so every secret any
 * process of the run registers reaches the reporter), removed when the
 * process exits, and the secrets present in the environment are registered.
 */
export function openRunSecrets(): void {
  openSecretSpool()
  process.once('exit', () => closeSecretSpool())
  registerPresentSecrets()
}
