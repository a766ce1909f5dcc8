import { describe, expect, it } from 'vitest'
import { stoppedAcrossBoot, stoppedRoutes } from './neighbour-guard.ts'

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

describe('after a reboot: a stopped neighbour that Docker will not start', () => {
  const rebootAt = 1_765_000_000
  it('stopped before the reboot under unless-stopped or no: it stays down, and says why', () => {
    expect(stoppedAcrossBoot(rebootAt - 60, 'unless-stopped', rebootAt)).toMatch(
      /stopped since before the reboot under restart policy "unless-stopped": Docker did not start it at boot/,
    )
    expect(stoppedAcrossBoot(rebootAt - 60, '', rebootAt)).toMatch(/restart policy "no"/)
  })

  it('stopped by the reboot itself, or under "always", or an unreadable time: keep waiting', () => {
    expect(stoppedAcrossBoot(rebootAt + 5, 'unless-stopped', rebootAt)).toBeUndefined()
    expect(stoppedAcrossBoot(rebootAt - 60, 'always', rebootAt)).toBeUndefined()
    expect(stoppedAcrossBoot(Number.NaN, 'no', rebootAt)).toBeUndefined()
    // Docker's zero time (never stopped) reads as before 1970.
    expect(stoppedAcrossBoot(-62135596800, 'no', rebootAt)).toBeUndefined()
  })
})
