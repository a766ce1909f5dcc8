import type { FleetHost } from '../fleet/fleet.ts'

/**
 * The plan's verify commands, run as typed and read as the plan reads them:
 * NixOS `systemctl status nixfleet-agent` "should show: inactive or not
 * found" (exit 3 or 4; 0 means active); macOS `launchctl list | grep
 * nixfleet` "should show nothing".
 */
export async function agentStoppedEvidence(
  fh: FleetHost,
): Promise<{ stopped: boolean; detail: string }> {
  if (fh.spec.os === 'nixos') {
    const r = await fh.host.run('systemctl status nixfleet-agent --no-pager', { timeout: '30s' })
    const head = (r.stdout + r.stderr).trim().split('\n').slice(0, 3).join(' | ')
    if (r.exitCode === 4 || /could not be found/i.test(r.stderr))
      return { stopped: true, detail: 'unit nixfleet-agent not found' }
    const active = /Active:\s+(\S+)/.exec(r.stdout)?.[1] ?? ''
    if (r.exitCode === 3 && active === 'inactive')
      return { stopped: true, detail: `unit nixfleet-agent ${active}` }
    return {
      stopped: false,
      detail: `systemctl status nixfleet-agent exited ${r.exitCode} (${active || 'no Active: line'}): ${head}`,
    }
  }
  const r = await fh.host.run('launchctl list | grep nixfleet', { timeout: '30s' })
  const lines = r.stdout.trim()
  return lines
    ? {
        stopped: false,
        detail: `launchctl list | grep nixfleet shows: ${lines.replace(/\n/g, ' | ')}`,
      }
    : { stopped: true, detail: 'no nixfleet job in launchctl list' }
}
