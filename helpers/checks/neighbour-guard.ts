import type { Fleet } from '../fleet/fleet.ts'
import { say } from '../output/say.ts'
import { writeRunArtifact } from '../transcript/run-folder.ts'
import type { Duration } from '../time/duration.ts'
import { poll, TerminalStateError } from '../wait/poll.ts'
import type { Host } from '../hosts/host.ts'
import { sh } from '../shell/quote.ts'
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

/** When a lost neighbour's stopped container ends the grace at once (see `neighboursLost`). */
export interface StoppedIsFinal {
  stoppedIsFinal?: boolean
  stoppedBefore?: number
}

/**
 * Services that answered in the baseline and still do not answer after a
 * grace period (after a reboot the front and the services start in their
 * own time), each named with both states. The grace ends at once for a
 * service whose container waiting cannot bring back:
 * - `stoppedIsFinal` (after the deploy, no reboot in between): a container
 *   Docker shows stopped. Docker restarts a crashed container under its
 *   policy (state "restarting"), so "exited" is a container someone or
 *   something stopped, and nothing starts it while the operator waits.
 * - `stoppedBefore` (after a reboot issued at that time, epoch seconds on
 *   the dashboard host's clock): a container that stopped before the reboot
 *   and whose policy does not start a stopped container at boot (anything
 *   but "always"). Docker starts what it restores at boot before its API
 *   answers, so a container still stopped now stays stopped.
 */
export async function neighboursLost(
  fleet: Fleet,
  baseline: NeighbourBaseline,
  when: string,
  grace: Duration = '90s',
  opts: StoppedIsFinal = {},
): Promise<string[]> {
  let lost: string[] = []
  const csb1 = fleet.get(fleet.inventory.dashboard.host).host
  return poll(
    `${fleet.inventory.dashboard.host}: neighbouring services answer ${when}`,
    async () => {
      const now = await probeNeighbours(fleet.target, fleet.inventory.dashboard.neighbours)
      lost = lostIn(fleet, baseline, now, when)
      if (!lost.length) return lost
      if (opts.stoppedIsFinal || opts.stoppedBefore !== undefined) {
        const lostUrls = baseline.services
          .filter((b) => b.answered && now.some((n) => n.name === b.name && !n.answered))
          .map((b) => b.url)
        const stopped = await stoppedForGood(csb1, lostUrls, opts).catch(() => [])
        if (stopped.length) {
          lost = lost.map((l) => {
            const c = stopped.find((x) => l.includes(`(${x.url})`))
            return c
              ? l.replace(
                  `; ${ROLLBACK_HINT}`,
                  ` (its container ${c.container} is ${c.state}${c.why ? `, ${c.why}` : ''}); ${ROLLBACK_HINT}`,
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

/**
 * The stopped containers that Traefik routes `urls` to and that waiting
 * will not bring back (see `neighboursLost`), each with why.
 */
async function stoppedForGood(
  host: Host,
  urls: string[],
  opts: StoppedIsFinal,
): Promise<(StoppedRoute & { why?: string })[]> {
  if (!urls.length) return []
  const ps = await host.succeed(`docker ps -a --format '{{.Names}}\t{{.State}}\t{{.Labels}}'`, {
    timeout: '30s',
  })
  const stopped = stoppedRoutes(ps, urls)
  if (opts.stoppedIsFinal || opts.stoppedBefore === undefined) return stopped
  const before = opts.stoppedBefore
  const found = await Promise.all(
    stopped.map(async (r) => {
      const out = await host.succeed(
        sh`c=${r.container}; echo "$(date -d "$(docker inspect -f '{{.State.FinishedAt}}' "$c")" +%s) $(docker inspect -f '{{.HostConfig.RestartPolicy.Name}}' "$c")"`,
        { timeout: '30s' },
      )
      const [finished = '', policy = ''] = out.trim().split(/\s+/)
      const why = stoppedAcrossBoot(Number(finished), policy, before)
      return why ? [{ ...r, why }] : []
    }),
  )
  return found.flat()
}

/**
 * Why a container found stopped after a reboot stays stopped, or undefined
 * when Docker may still start it: it stopped before the reboot was issued
 * (`rebootAt`, epoch seconds) and its restart policy does not start a
 * stopped container when the engine starts (only "always" does).
 */
export function stoppedAcrossBoot(
  finishedAt: number,
  policy: string,
  rebootAt: number,
): string | undefined {
  if (!Number.isFinite(finishedAt) || finishedAt <= 0 || finishedAt >= rebootAt) return undefined
  if (policy === 'always') return undefined
  return `stopped since before the reboot under restart policy "${policy || 'no'}": Docker did not start it at boot`
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
