import { describe, expect, it } from 'vitest'
import { othersUnaffected, type HostLook } from './others-unaffected.ts'

/** Hosts online with v2 unless listed otherwise. */
function look(opts: {
  offline?: string[]
  agents?: Record<string, { kind: string; detail: string }>
  unreachable?: string[]
  outside?: string[]
}): HostLook {
  return {
    online: (h) =>
      opts.offline?.includes(h)
        ? Promise.reject(new Error(`${h} listed offline for 30 s`))
        : Promise.resolve(),
    agent: (h) => {
      if (opts.unreachable?.includes(h)) return Promise.reject(new Error('ssh: connection refused'))
      if (opts.outside?.includes(h)) return Promise.resolve(undefined)
      return Promise.resolve(opts.agents?.[h] ?? { kind: 'v2', detail: 'NixFleet Agent starting' })
    },
  }
}

describe("the rollback's other hosts", () => {
  it('pass when every host is online and runs v2', async () => {
    expect(await othersUnaffected(['hsb0', 'hsb1', 'csb0'], look({}))).toEqual([])
  })

  it('name each host offline, on another agent or unreachable, in host order', async () => {
    const problems = await othersUnaffected(
      ['hsb0', 'hsb1', 'csb0', 'imac0', 'hsb8'],
      look({
        offline: ['csb0'],
        agents: { hsb0: { kind: 'none', detail: 'inactive (dead)' } },
        unreachable: ['imac0'],
        outside: ['hsb8'],
      }),
    )
    expect(problems).toEqual([
      'hsb0: agent none: inactive (dead)',
      'csb0: no longer online in the dashboard: csb0 listed offline for 30 s',
      'imac0: ssh: connection refused',
    ])
  })
})
