import type { Target } from '../config/target.ts'
import { dashboardClient } from './dashboard-access.ts'

/**
 * Why agents cannot be connected to the dashboard right now, if that is the
 * case: `/health` not answering 200 through the public URL. Used to stop
 * waiting for an agent as soon as the cause is on the dashboard's side.
 */
export async function dashboardDownReason(
  target: Target,
  url: string,
): Promise<string | undefined> {
  const c = dashboardClient(target, url)
  try {
    const r = await c.http('GET', '/health')
    return r.status === 200
      ? undefined
      : `the dashboard at ${url} answers /health with HTTP ${r.status}`
  } catch (err) {
    return `the dashboard at ${url} does not answer: ${(err as Error).message}`
  } finally {
    await c.close()
  }
}
