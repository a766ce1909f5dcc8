import { describe, expect, it } from 'vitest'
import { parseInspect, pickV1, routesHost, volumeFor } from './v1-container.ts'

/** `docker inspect` output as csb1 gives it for v1 (reference §3) and a neighbour. */
const inspect = (o: { id: string; name: string; dir: string; host: string; running: boolean }) => ({
  Id: o.id.padEnd(64, '0'),
  Name: `/${o.name}`,
  Image: 'sha256:'.padEnd(71, 'a'),
  State: { Status: o.running ? 'running' : 'exited', Running: o.running },
  Config: {
    Labels: {
      'com.docker.compose.project': o.dir.endsWith('/docker') ? 'docker' : 'csb1',
      'com.docker.compose.project.working_dir': o.dir,
      'com.docker.compose.project.config_files': `${o.dir}/docker-compose.csb1.yml`,
      'com.docker.compose.service': 'nixfleet',
      'traefik.enable': 'true',
      'traefik.http.routers.nixfleet.rule': `Host(\`${o.host}\`)`,
    },
  },
  Mounts: [{ Type: 'volume', Name: 'docker_nixfleet-data', Destination: '/data' }],
})

const v1 = inspect({
  id: 'aaaaaaaaaaaa',
  name: 'nixfleet',
  dir: '/home/mba/docker/nixfleet/docker',
  host: 'fleet.barta.cm',
  running: true,
})
const v2 = inspect({
  id: 'bbbbbbbbbbbb',
  name: 'csb1_nixfleet_1',
  dir: '/home/mba/docker',
  host: 'fleet.barta.cm',
  running: true,
})

describe('finding the v1 dashboard container on csb1', () => {
  it('reads the compose project, files and data volume from docker inspect', () => {
    const [c] = parseInspect(JSON.stringify([v1]))
    expect(c).toMatchObject({
      id: 'aaaaaaaaaaaa',
      name: 'nixfleet',
      running: true,
      compose: {
        project: 'docker',
        configFiles: ['/home/mba/docker/nixfleet/docker/docker-compose.csb1.yml'],
      },
    })
    expect(volumeFor('csb1', c!, '/data/nixfleet.db')).toEqual({
      volume: 'docker_nixfleet-data',
      dir: '/data',
      name: 'nixfleet.db',
    })
  })

  it("routes by the Traefik rule: another host's router does not count", () => {
    expect(routesHost(v1.Config.Labels, 'fleet.barta.cm')).toBe(true)
    expect(routesHost(v1.Config.Labels, 'grafana.barta.cm')).toBe(false)
    expect(
      routesHost({ 'traefik.http.routers.x.tls': 'Host(`fleet.barta.cm`)' }, 'fleet.barta.cm'),
    ).toBe(false)
  })

  it("v1 is the one outside the main stack; v2 (the main stack's service) is not taken for it", () => {
    const all = parseInspect(JSON.stringify([v1, v2]))
    expect(pickV1('csb1', all, '/home/mba/docker')?.name).toBe('nixfleet')
    expect(pickV1('csb1', all.slice(1), '/home/mba/docker')).toBeUndefined()
  })

  it('two candidates are refused, naming both, instead of stopping a guess', () => {
    const other = inspect({
      id: 'cccccccccccc',
      name: 'nixfleet-old',
      dir: '/home/mba/old/docker',
      host: 'fleet.barta.cm',
      running: false,
    })
    expect(() =>
      pickV1('csb1', parseInspect(JSON.stringify([v1, other])), '/home/mba/docker'),
    ).toThrow(
      /csb1: 2 containers outside \/home\/mba\/docker serve .*nixfleet \(aaaaaaaaaaaa.*nixfleet-old \(cccccccccccc, exited/,
    )
  })

  it('a container without a volume where the database is named is an error naming it', () => {
    const [c] = parseInspect(JSON.stringify([{ ...v1, Mounts: [] }]))
    expect(() => volumeFor('csb1', c!, '/data/nixfleet.db')).toThrow(
      'csb1: container nixfleet (aaaaaaaaaaaa, running, compose project docker from /home/mba/docker/nixfleet/docker/docker-compose.csb1.yml) has no named volume at /data (where /data/nixfleet.db is): no volumes',
    )
  })
})
