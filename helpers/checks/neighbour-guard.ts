import type { Fleet } from '../fleet/fleet.ts'
import { say } from '../output/say.ts'
import { writeRunArtifact } from '../transcript/run-folder.ts'
import type { Duration } from '../time/duration.ts'
import { poll } from '../wait/poll.ts'
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
 * own time), each named with both states.
 */
export async function neighboursLost(
  fleet: Fleet,
  baseline: NeighbourBaseline,
  when: string,
  grace: Duration = '90s',
): Promise<string[]> {
  let lost: string[] = []
  return poll(
    `${fleet.inventory.dashboard.host}: neighbouring services answer ${when}`,
    async () => {
      const now = await probeNeighbours(fleet.target, fleet.inventory.dashboard.neighbours)
      lost = lostIn(fleet, baseline, now, when)
      if (lost.length) throw new Error(lost.join('; '))
      return lost
    },
    { timeout: grace, interval: '5s' },
  ).catch(() => lost) // the grace ran out: what the last probe found
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
