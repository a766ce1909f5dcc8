import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { loadInventory } from '../inventory/load-inventory.ts'
import { v2Service, withoutV2Service, withV2Service } from './main-compose.ts'

const MAIN = readFileSync(
  fileURLToPath(new URL('../../fixtures/csb1-docker/docker-compose.yml', import.meta.url)),
  'utf8',
)
const inv = loadInventory()
const ENV = '/home/mba/secrets/nixfleet.env'
const FILE = '~/docker/docker-compose.yml'

describe("the v2 service in csb1's main compose file", () => {
  it("adds the executed plan's service and its volume, keeping every other service and comment", () => {
    const { text, unchanged } = withV2Service(MAIN, inv, ENV, FILE)
    expect(unchanged).toBe(false)
    const doc = parse(text) as {
      services: Record<string, { build?: { context: string } }>
      volumes: Record<string, unknown>
    }
    expect(doc.services.nixfleet?.build?.context).toBe('./nixfleet/v2')
    expect(doc.services.nixfleet).toMatchObject({
      restart: 'unless-stopped',
      env_file: [ENV],
      volumes: ['nixfleet_data:/data'],
    })
    expect(doc.volumes).toHaveProperty('nixfleet_data')
    expect(Object.keys(doc.services)).toEqual(expect.arrayContaining(['traefik', 'grafana']))
    expect(text).toContain("# csb1's main stack (~/docker)")
    // Not the name the stopped v1 container keeps for the rollback.
    expect(doc.services.nixfleet).not.toHaveProperty('container_name')
  })

  it('is idempotent: the same service already there is left unchanged', () => {
    const once = withV2Service(MAIN, inv, ENV, FILE).text
    expect(withV2Service(once, inv, ENV, FILE)).toEqual({ text: once, unchanged: true })
  })

  it('refuses to replace a different service of the same name', () => {
    const other = withV2Service(MAIN, inv, '/elsewhere.env', FILE).text
    expect(() => withV2Service(other, inv, ENV, FILE)).toThrow(
      '~/docker/docker-compose.yml already defines a service "nixfleet" that differs from the v2 service the runbook adds; not changing it',
    )
  })

  it('the rollback takes the service out again and keeps the data volume', () => {
    const added = withV2Service(MAIN, inv, ENV, FILE).text
    const back = parse(withoutV2Service(added, inv, FILE) ?? '') as {
      services: Record<string, unknown>
      volumes: Record<string, unknown>
    }
    expect(back.services).not.toHaveProperty('nixfleet')
    expect(back.volumes).toHaveProperty('nixfleet_data')
    expect(withoutV2Service(MAIN, inv, FILE)).toBeUndefined()
  })

  it('a checkout outside the main stack cannot be its build context', () => {
    const moved = {
      ...inv,
      dashboard: { ...inv.dashboard, checkout: '~/src/nixfleet' },
    }
    expect(() => v2Service(moved, ENV)).toThrow(
      'dashboard.checkout ~/src/nixfleet is not inside dashboard.compose_dir ~/docker',
    )
  })
})
