import { describe, expect, it } from 'vitest'
import { stoppedRoutes } from './neighbour-guard.ts'

const PS = [
  'docker-grafana-1\texited\tcom.docker.compose.service=grafana,traefik.http.routers.grafana.rule=Host(`grafana.barta.cm`),traefik.enable=true',
  'docker-docmost-1\trunning\ttraefik.http.routers.docmost.rule=Host(`docmost.barta.cm`)',
  'docker-whoami-1\trestarting\ttraefik.http.routers.whoami.rule=Host(`whoami1.barta.cm`)',
  'docker-traefik-1\trunning\tcom.docker.compose.service=traefik',
].join('\n')

describe("a lost neighbour's container, found by its Traefik router", () => {
  it('names the stopped container that serves the URL', () => {
    expect(stoppedRoutes(PS, ['https://grafana.barta.cm'])).toEqual([
      { url: 'https://grafana.barta.cm', container: 'docker-grafana-1', state: 'exited' },
    ])
  })

  it('a running or restarting container, or none routed to the URL, is not stopped', () => {
    expect(
      stoppedRoutes(PS, [
        'https://docmost.barta.cm',
        'https://whoami1.barta.cm',
        'https://paperless.barta.cm',
      ]),
    ).toEqual([])
  })
})
