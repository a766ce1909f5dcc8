import { posix } from 'node:path'
import type { Host } from '../hosts/host.ts'
import { HostError } from '../hosts/errors.ts'
import { sh } from '../shell/quote.ts'

/**
 * A container found serving the dashboard's name, as `docker inspect` shows
 * it: the real csb1 ran v1 from a compose file the plan does not name
 * (reference §3), so the runbook finds the container, its Compose project and
 * its data volume instead of assuming a directory.
 */
export interface DashboardContainer {
  id: string
  name: string
  /** The image id the container runs (v1's Python image, for the backup and restore). */
  image: string
  running: boolean
  status: string
  compose: { project: string; workingDir: string; configFiles: string[]; service: string }
  /** Named volumes by mount destination. */
  volumes: Map<string, string>
  labels: Record<string, string>
}

interface Inspected {
  Id: string
  Name: string
  Image: string
  State: { Status: string; Running: boolean }
  Config: { Labels: Record<string, string> | null }
  Mounts: { Type: string; Name?: string; Destination: string }[] | null
}

/** Whether a container's Traefik labels route `hostname` to it (any router, `Host(` rule). */
export function routesHost(labels: Record<string, string>, hostname: string): boolean {
  return Object.entries(labels).some(
    ([k, v]) =>
      /^traefik\.http\.routers\.[^.]+\.rule$/.test(k) && v.includes(`Host(\`${hostname}\`)`),
  )
}

export function parseInspect(json: string): DashboardContainer[] {
  const all = JSON.parse(json) as Inspected[]
  return all.map((c) => {
    const l = c.Config.Labels ?? {}
    return {
      id: c.Id.slice(0, 12),
      name: c.Name.replace(/^\//, ''),
      image: c.Image,
      running: c.State.Running,
      status: c.State.Status,
      compose: {
        project: l['com.docker.compose.project'] ?? '',
        workingDir: l['com.docker.compose.project.working_dir'] ?? '',
        configFiles: (l['com.docker.compose.project.config_files'] ?? '')
          .split(',')
          .filter(Boolean),
        service: l['com.docker.compose.service'] ?? '',
      },
      volumes: new Map(
        (c.Mounts ?? [])
          .filter((m) => m.Type === 'volume' && m.Name)
          .map((m) => [m.Destination, m.Name as string]),
      ),
      labels: l,
    }
  })
}

/** Every container (running or stopped) whose Traefik router answers for `hostname`. */
export async function containersServing(
  host: Host,
  hostname: string,
): Promise<DashboardContainer[]> {
  const ids = (await host.succeed('docker ps -a -q --no-trunc', { timeout: '1m' }))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  if (!ids.length) return []
  const out = await host.succeed(sh`docker inspect ${ids}`, { timeout: '1m' })
  return parseInspect(out).filter((c) => routesHost(c.labels, hostname))
}

/** The main stack's directory as Compose records it (`pwd -P` of the inventory's compose_dir). */
export async function absoluteDir(host: Host, dir: string, shellDir: string): Promise<string> {
  const out = await host.run(`cd ${shellDir} && pwd -P`, { timeout: '30s' })
  if (out.exitCode !== 0) throw new HostError(host.name, `${dir} does not exist`)
  return out.stdout.trim()
}

/**
 * The v1 dashboard's container: serving the dashboard's name, and not the
 * main stack's own service (that is v2, once deployed). None is `undefined`;
 * more than one is an error naming them (stopping "the" v1 would be a guess).
 */
export function pickV1(
  hostName: string,
  serving: DashboardContainer[],
  mainStackDir: string,
): DashboardContainer | undefined {
  const v1 = serving.filter((c) => c.compose.workingDir !== mainStackDir)
  if (v1.length > 1)
    throw new HostError(
      hostName,
      `${v1.length} containers outside ${mainStackDir} serve the dashboard's name: ${v1.map(describeContainer).join('; ')}; not guessing which one is v1`,
    )
  return v1[0]
}

export function describeContainer(c: DashboardContainer): string {
  const files = c.compose.configFiles.length
    ? `, compose project ${c.compose.project} from ${c.compose.configFiles.join(', ')}`
    : ''
  return `container ${c.name} (${c.id}, ${c.status}${files})`
}

/** The named volume holding `file` (a path inside the container), or an error naming the container. */
export function volumeFor(
  hostName: string,
  c: DashboardContainer,
  file: string,
): { volume: string; dir: string; name: string } {
  const dir = posix.dirname(file)
  const volume = c.volumes.get(dir)
  if (!volume)
    throw new HostError(
      hostName,
      `${describeContainer(c)} has no named volume at ${dir} (where ${file} is): ${[...c.volumes].map(([d, v]) => `${v} at ${d}`).join(', ') || 'no volumes'}`,
    )
  return { volume, dir, name: posix.basename(file) }
}
