import { describe, expect, it } from 'vitest'
import { NoContainerError, type DashboardStack } from '../steps/dashboard-stack.ts'
import { dashboardStaysDown } from './persistence.ts'

/** csb1's stack with the container in `status` ('missing': none), under `policy`, exited with `code`. */
function stack(status: string, policy = 'no', code = 0): DashboardStack {
  return {
    host: {
      name: 'csb1',
      run: () => Promise.resolve({ exitCode: 0, stdout: `${policy} ${code}\n`, stderr: '' }),
    },
    health: () =>
      status === 'missing'
        ? Promise.reject(new NoContainerError('csb1', 'no nixfleet container in ~/docker'))
        : Promise.resolve({ id: 'abc', status, health: 'none', lastCheck: '' }),
  } as unknown as DashboardStack
}

describe('the dashboard stays down: only when nothing will start it again', () => {
  it('a container stopped under policy "no", or gone, stays down', async () => {
    expect(await dashboardStaysDown(stack('exited', 'no', 137))).toBe(
      'csb1: the dashboard container exited (exit 137) under restart policy "no": Docker will not start it again',
    )
    expect(await dashboardStaysDown(stack('exited', 'on-failure', 0))).toMatch(/"on-failure"/)
    expect(await dashboardStaysDown(stack('missing'))).toMatch(/no nixfleet container/)
  })

  it('running, restarting, or stopped under a policy that restarts it: not a reason to stop waiting', async () => {
    expect(await dashboardStaysDown(stack('running'))).toBeUndefined()
    expect(await dashboardStaysDown(stack('restarting', 'unless-stopped'))).toBeUndefined()
    expect(await dashboardStaysDown(stack('exited', 'unless-stopped', 0))).toBeUndefined()
    expect(await dashboardStaysDown(stack('exited', 'always', 1))).toBeUndefined()
    expect(await dashboardStaysDown(stack('exited', 'on-failure', 1))).toBeUndefined()
  })

  it('a host that cannot be asked (SSH not back) says nothing', async () => {
    const s = stack('running')
    s.health = () => Promise.reject(new Error('csb1: cannot reach cs1.barta.cm:2222'))
    expect(await dashboardStaysDown(s)).toBeUndefined()
  })
})
