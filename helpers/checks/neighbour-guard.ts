import type { Fleet } from '../fleet/fleet.ts'
import { say } from '../output/say.ts'
import { writeRunArtifact } from '../transcript/run-folder.ts'
import type { Duration } from '../time/duration.ts'
import { poll, TerminalStateError } from '../wait/poll.ts'
import type { Host } from '../hosts/host.ts'
import { describeNeighbour, probeNeighbours, type NeighbourStatus } from './neighbours.ts'

export interface NeighbourBaseline {
  at: string
  /** `docker ps` on the dashboard host: names, images, status. */
  dockerPs: string[]
  services: NeighbourStatus[]
}

/** Where an operator goes when the deploy broke a neighbour. */
export const ROLLBACK_HINT =
  'the dashboard rollback is specs/rollback-dashboard.spec.ts (ROLLBACK_DASHBOARD=1)'

/**
 * Before phase 2 touches csb1: what runs there and which neighbouring
 * services (inventory `dashboard.neighbours`) answer. Printed and kept in
 * the run's folder, so the comparison after the deploy and after the reboot
 * has a record to point at.
 */
export async function neighbourBaseline(fleet: Fleet): Promise<NeighbourBaseline> {
  const { host } = fleet.get(fleet.inventory.dashboard.host)
  const dockerPs = (
    await host.succeed(`docker ps --format '{{.Names}} {{.Image}} {{.Status}}'`, { timeout: '1m' })
  )
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  const services = await probeNeighbours(fleet.target, fleet.inventory.dashboard.neighbours)
  const baseline = { at: new Date().toISOString(), dockerPs, services }
  say(
    `${host.name}: neighbours before the deploy: ${services.map(describeNeighbour).join('; ')} (${dockerPs.length} containers running)`,
  )
  writeRunArtifact('neighbours-baseline.json', baseline)
  return baseline
}

/**
 * Services that answered in the baseline and still do not answer after a
 * grace period (after a reboot the front and the services start in their
 * own time), each named with both states. With `stoppedIsFinal` (after the
 * deploy, no reboot in between) the grace ends at once for a service whose
 * container Docker shows stopped: Docker restarts a crashed container under
 * its policy (state "restarting"), so "exited" is a container someone or
 * something stopped, and nothing starts it while the operator waits.
 */
export async function neighboursLost(
  fleet: Fleet,
  baseline: NeighbourBaseline,
  when: string,
  grace: Duration = '90s',
  opts: { stoppedIsFinal?: boolean } = {},
): Promise<string[]> {
  let lost: string[] = []
  const csb1 = fleet.get(fleet.inventory.dashboard.host).host
  return poll(
    `${fleet.inventory.dashboard.host}: neighbouring services answer ${when}`,
    async () => {
      const now = await probeNeighbours(fleet.target, fleet.inventory.dashboard.neighbours)
      lost = lostIn(fleet, baseline, now, when)
      if (!lost.length) return lost
      if (opts.stoppedIsFinal) {
        const lostUrls = baseline.services
          .filter((b) => b.answered && now.some((n) => n.name === b.name && !n.answered))
          .map((b) => b.url)
        const stopped = await stoppedContainers(csb1, lostUrls).catch(() => [])
        if (stopped.length) {
          lost = lost.map((l) => {
            const c = stopped.find((x) => l.includes(`(${x.url})`))
            return c
              ? l.replace(
                  `; ${ROLLBACK_HINT}`,
                  ` (its container ${c.container} is ${c.state}); ${ROLLBACK_HINT}`,
                )
              : l
          })
          throw new TerminalStateError(lost.join('; '))
        }
      }
      throw new Error(lost.join('; '))
    },
    { timeout: grace, interval: '5s' },
  ).catch(() => lost) // the grace ran out, or a stopped container ended it: what the last probe found
}

/** The containers on the dashboard host that Traefik routes `urls` to and that are stopped. */
async function stoppedContainers(host: Host, urls: string[]): Promise<StoppedRoute[]> {
  if (!urls.length) return []
  const ps = await host.succeed(`docker ps -a --format '{{.Names}}\t{{.State}}\t{{.Labels}}'`, {
    timeout: '30s',
  })
  return stoppedRoutes(ps, urls)
}

export interface StoppedRoute {
  url: string
  container: string
  state: string
}

/**
 * From `docker ps -a --format '{{.Names}}\t{{.State}}\t{{.Labels}}'`: for each
 * URL, the container whose Traefik router rule names the URL's Host, when
 * that container is stopped (exited or dead).
 */
export function stoppedRoutes(ps: string, urls: string[]): StoppedRoute[] {
  const rows = ps
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((r) => r.length >= 3)
  return urls.flatMap((url) => {
    const rule = `Host(\`${new URL(url).hostname}\`)`
    const row = rows.find(([, , labels]) => labels?.includes(rule))
    const [container = '', state = ''] = row ?? []
    return row && (state === 'exited' || state === 'dead') ? [{ url, container, state }] : []
  })
}

function lostIn(
  fleet: Fleet,
  baseline: NeighbourBaseline,
  now: NeighbourStatus[],
  when: string,
): string[] {
  return baseline.services
    .filter((b) => b.answered)
    .flatMap((b) => {
      const n = now.find((x) => x.name === b.name)
      if (!n || n.answered) return []
      return [
        `${fleet.inventory.dashboard.host}: ${b.name} answered HTTP ${b.status ?? '?'} before the deploy, ${when}: ${describeNeighbour(n)}; ${ROLLBACK_HINT}`,
      ]
    })
}
