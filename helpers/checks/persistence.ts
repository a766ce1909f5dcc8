import { sh } from '../shell/quote.ts'
import { NoContainerError, type DashboardStack } from '../steps/dashboard-stack.ts'

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

/**
 * Why the dashboard cannot answer again without someone acting, if that is
 * so: no container, or one that has stopped under a restart policy that
 * never starts it again ("no", or "on-failure" after a clean exit). A
 * stopped container under "always" or "unless-stopped" may still be started
 * by Docker, so it is not a reason. Unknown (SSH not back) is not one either.
 */
export async function dashboardStaysDown(stack: DashboardStack): Promise<string | undefined> {
  const state = await stack
    .health()
    .then((h) => ({ h }))
    .catch((err: unknown) => ({ err: err as Error }))
  if ('err' in state) return state.err instanceof NoContainerError ? state.err.message : undefined
  const { id, status } = state.h
  if (status !== 'exited' && status !== 'dead') return undefined
  const r = await stack.host.run(
    sh`docker inspect -f ${'{{.HostConfig.RestartPolicy.Name}} {{.State.ExitCode}}'} ${id}`,
    { timeout: '30s' },
  )
  if (r.exitCode !== 0) return undefined
  const [policy = '', code = ''] = r.stdout.trim().split(/\s+/)
  const never = policy === '' || policy === 'no' || (policy === 'on-failure' && code === '0')
  return never
    ? `${stack.host.name}: the dashboard container ${status} (exit ${code}) under restart policy "${policy || 'no'}": Docker will not start it again`
    : undefined
}
