import { describe, expect, it } from 'vitest'
import { backendFor, type ListedContainer } from './label-routes.ts'

const container = (
  over: Partial<ListedContainer> & { name: string; host: string },
): ListedContainer => ({
  Names: [`/${over.name}`],
  State: 'running',
  Status: 'Up 2 minutes',
  Labels: {
    'traefik.enable': 'true',
    'traefik.docker.network': 'csb1_traefik',
    [`traefik.http.routers.${over.name}.rule`]: `Host(\`${over.host}\`)`,
    [`traefik.http.services.${over.name}.loadbalancer.server.port`]: '8000',
  },
  NetworkSettings: {
    Networks: { other: { IPAddress: '10.0.0.9' }, csb1_traefik: { IPAddress: '10.213.1.5' } },
  },
  ...over,
})

describe('routing by container labels, as Traefik’s Docker provider does', () => {
  it('routes a name to the running container whose router rule holds it, on the labelled network', () => {
    expect(
      backendFor('fleet.barta.cm', [
        container({ name: 'grafana', host: 'grafana.barta.cm' }),
        container({ name: 'nixfleet', host: 'fleet.barta.cm' }),
      ]),
    ).toEqual({ container: 'nixfleet', host: '10.213.1.5', port: 8000 })
  })

  it('has no router for a name whose container is gone, stopped, or not yet healthy', () => {
    const v1 = container({ name: 'nixfleet', host: 'fleet.barta.cm' })
    expect(backendFor('fleet.barta.cm', [])).toBeUndefined()
    expect(backendFor('fleet.barta.cm', [{ ...v1, State: 'exited' }])).toBeUndefined()
    expect(
      backendFor('fleet.barta.cm', [{ ...v1, Status: 'Up 3 seconds (health: starting)' }]),
    ).toBeUndefined()
    expect(
      backendFor('fleet.barta.cm', [{ ...v1, Status: 'Up 2 minutes (healthy)' }]),
    ).toBeDefined()
  })

  it('ignores a container without traefik.enable=true', () => {
    const c = container({ name: 'nixfleet', host: 'fleet.barta.cm' })
    expect(
      backendFor('fleet.barta.cm', [{ ...c, Labels: { ...c.Labels, 'traefik.enable': 'false' } }]),
    ).toBeUndefined()
  })
})
