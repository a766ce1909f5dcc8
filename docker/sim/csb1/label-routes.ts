/**
 * Traefik's Docker provider, as far as csb1 uses it: a running container with
 * `traefik.enable=true`, a router rule `Host(\`name\`)` and a service port is
 * the backend for that name, reached at its address on the network named by
 * `traefik.docker.network`. A container whose health check has not passed
 * yet (starting, unhealthy) is left out, as Traefik leaves it out; a name
 * without a router gets Traefik's own 404.
 */

/** One entry of the Docker engine's `GET /containers/json`. */
export interface ListedContainer {
  Names: string[]
  State: string
  Status: string
  Labels: Record<string, string>
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> }
}

export interface Backend {
  container: string
  host: string
  port: number
}

const HOST_RULE = /^Host\(`([^`]+)`\)$/

/** The backend Traefik would pick for `name`, or undefined (its 404). */
export function backendFor(name: string, containers: ListedContainer[]): Backend | undefined {
  for (const c of containers) {
    const labels = c.Labels ?? {}
    if (c.State !== 'running' || labels['traefik.enable'] !== 'true') continue
    if (/\((health: starting|unhealthy)\)/.test(c.Status)) continue
    const routed = Object.entries(labels).some(
      ([k, v]) =>
        /^traefik\.http\.routers\.[^.]+\.rule$/.test(k) && HOST_RULE.exec(v)?.[1] === name,
    )
    if (!routed) continue
    const port = Object.entries(labels).find(([k]) =>
      /^traefik\.http\.services\.[^.]+\.loadbalancer\.server\.port$/.test(k),
    )?.[1]
    const networks = c.NetworkSettings?.Networks ?? {}
    const net = labels['traefik.docker.network'] ?? Object.keys(networks)[0] ?? ''
    const address = networks[net]?.IPAddress
    if (!port || !address) continue
    return { container: (c.Names[0] ?? '').replace(/^\//, ''), host: address, port: Number(port) }
  }
  return undefined
}
