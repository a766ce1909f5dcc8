import { sh } from '../shell/quote.ts'
import type { DashboardStack } from '../steps/dashboard-stack.ts'

/**
 * Whether the dashboard is set up to come back after a reboot, read without
 * rebooting (the success criteria are a status check): the container under a
 * restart policy, Docker itself enabled. An agent's own answer is its OS
 * adapter's (`agentComesBack`).
 */
export async function dashboardComesBack(
  stack: DashboardStack,
): Promise<{ ok: boolean; detail: string }> {
  const { id } = await stack.health()
  const policy = (
    await stack.host.succeed(sh`docker inspect -f ${'{{.HostConfig.RestartPolicy.Name}}'} ${id}`, {
      timeout: '30s',
    })
  ).trim()
  const docker = (
    await stack.host.run('systemctl is-enabled docker.service', { timeout: '30s' })
  ).stdout.trim()
  return {
    ok: ['always', 'unless-stopped'].includes(policy) && docker === 'enabled',
    detail: `container restart policy "${policy || 'no'}", docker.service ${docker || 'unknown'}`,
  }
}
