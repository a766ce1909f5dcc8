import type { Target } from '../config/target.ts'
import { dashboardClient } from '../dashboard/dashboard-access.ts'
import { isNoRouter } from '../dashboard/ws-answer.ts'
import type { Inventory } from '../inventory/load-inventory.ts'

export interface NeighbourStatus {
  name: string
  url: string
  /** The HTTP status, when the service answered at all. */
  status?: number
  error?: string
  /**
   * Answered with a status below 500 (a login redirect or a 401 is a service
   * that answers), and not Traefik's own 404 (no router: the service's
   * container is stopped or not healthy).
   */
  answered: boolean
}

/**
 * The services behind csb1's Traefik next to the dashboard (names and URLs
 * from the inventory), each asked for `/` the way a user's browser would.
 * A 5xx or no answer means the service is down or the front lost its route.
 */
export async function probeNeighbours(
  target: Target,
  neighbours: Inventory['dashboard']['neighbours'],
): Promise<NeighbourStatus[]> {
  return Promise.all(
    neighbours.map(async ({ name, url }) => {
      const client = dashboardClient(target, url)
      try {
        const r = await client.http('GET', '/')
        const noRouter = isNoRouter(r)
        return {
          name,
          url,
          status: r.status,
          ...(noRouter ? { error: "Traefik's 404: no route to the service" } : {}),
          answered: r.status < 500 && !noRouter,
        }
      } catch (err) {
        return { name, url, error: (err as Error).message, answered: false }
      } finally {
        await client.close()
      }
    }),
  )
}

export function describeNeighbour(n: NeighbourStatus): string {
  return `${n.name} (${n.url}): ${n.status !== undefined ? `HTTP ${n.status}` : `no answer: ${n.error ?? '?'}`}`
}
