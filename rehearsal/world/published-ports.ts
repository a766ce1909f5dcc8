import { execFileSync } from 'node:child_process'

/** One published port as `docker inspect` reports it (NetworkSettings.Ports). */
export interface PortBinding {
  container: string
  port: string
  hostIp: string
  hostPort: string
}

type InspectPorts = Record<string, { HostIp: string; HostPort: string }[] | null>

/** Every published port of the given `docker inspect` results. */
export function publishedPorts(
  inspected: { Name: string; NetworkSettings: { Ports: InspectPorts | null } }[],
): PortBinding[] {
  return inspected.flatMap((c) =>
    Object.entries(c.NetworkSettings.Ports ?? {}).flatMap(([port, bindings]) =>
      (bindings ?? []).map((b) => ({
        container: c.Name.replace(/^\//, ''),
        port,
        hostIp: b.HostIp,
        hostPort: b.HostPort,
      })),
    ),
  )
}

/** The rehearsal's published ports that are reachable from other machines (not loopback). */
export function nonLoopbackPorts(ports: PortBinding[]): string[] {
  return ports
    .filter((p) => p.hostIp !== '127.0.0.1')
    .map(
      (p) =>
        `${p.container}: ${p.port} is published on ${p.hostIp || 'every interface'}:${p.hostPort}, not 127.0.0.1`,
    )
}

/** The published ports of every running container of the rehearsal (by label). */
export function rehearsalPorts(label: string): PortBinding[] {
  const ids = execFileSync('docker', ['ps', '-q', '--filter', `label=${label}`], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean)
  if (!ids.length) return []
  return publishedPorts(
    JSON.parse(execFileSync('docker', ['inspect', ...ids], { encoding: 'utf8' })) as Parameters<
      typeof publishedPorts
    >[0],
  )
}
