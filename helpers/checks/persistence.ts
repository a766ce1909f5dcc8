import type { FleetHost } from '../fleet/fleet.ts'
import { AGENT_LABEL } from '../os/macos.ts'
import { AGENT_UNIT } from '../os/nixos.ts'
import { sh } from '../shell/quote.ts'
import type { DashboardStack } from '../steps/dashboard-stack.ts'

/**
 * Whether what runs now is set up to come back after a reboot, read without
 * rebooting (the success criteria are a status check): the agent unit enabled
 * for boot, the launchd job loaded at login and kept alive, the dashboard
 * container under a restart policy with Docker itself enabled.
 */
export async function agentComesBack(fh: FleetHost): Promise<{ ok: boolean; detail: string }> {
  if (fh.spec.os === 'nixos') {
    const r = await fh.host.run(sh`systemctl is-enabled ${AGENT_UNIT}`, { timeout: '30s' })
    const state = r.stdout.trim() || r.stderr.trim()
    return { ok: state === 'enabled', detail: `systemctl is-enabled ${AGENT_UNIT}: ${state}` }
  }
  const plist = `~/Library/LaunchAgents/${AGENT_LABEL}.plist`
  const r = await fh.host.run(`cat ${plist}`, { timeout: '30s' })
  if (r.exitCode !== 0) return { ok: false, detail: `${plist} is missing` }
  const flag = (key: string): boolean => new RegExp(`<key>${key}</key>\\s*<true/>`).test(r.stdout)
  return {
    ok: flag('RunAtLoad') && flag('KeepAlive'),
    detail: `${plist}: RunAtLoad ${flag('RunAtLoad')}, KeepAlive ${flag('KeepAlive')}`,
  }
}

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
