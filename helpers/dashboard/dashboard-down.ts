import type { Target } from '../config/target.ts'
import { dashboardClient } from './dashboard-access.ts'

/**
 * Why agents cannot be connected to the dashboard right now, if that is the
 * case: `/health` not answering 200 through the public URL while the
 * dashboard itself does not answer either. Used to stop waiting for an agent
 * as soon as the cause is on the dashboard's side.
 *
 * A dashboard that serves `/login` but answers `/health` with 404 is up: it
 * is one from before nixfleet 6933b5f0147e, which has no `/health`. Its
 * agents connect; only the Mac's launcher (from 3999ab9856de) waits for
 * `/health` up to 60 s at each start and then starts the agent anyway, so
 * that is a delay, not a reason to stop waiting. Go's own 404 and Traefik's
 * are the same text, so `/login` is what tells the two apart.
 */
export async function dashboardDownReason(
  target: Target,
  url: string,
): Promise<string | undefined> {
  const c = dashboardClient(target, url)
  try {
    const r = await c.http('GET', '/health')
    if (r.status === 200) return undefined
    const login = await c.http('GET', '/login').catch(() => undefined)
    if (r.status === 404 && login?.status === 200 && login.body.includes('NixFleet'))
      return undefined
    return `the dashboard at ${url} answers /health with HTTP ${r.status}${login ? ` and /login with HTTP ${login.status}` : ''}`
  } catch (err) {
    return `the dashboard at ${url} does not answer: ${(err as Error).message}`
  } finally {
    await c.close()
  }
}
