import { agentBinary, agentEnvironment } from '../lib/agent-env.ts'
import type { Evaluation } from '../lib/evaluate.ts'

/** nixfleet-agent.service as the nixfleet NixOS module renders it (reference §5.2). */
export function renderAgentUnit(ev: Evaluation): string | undefined {
  const cfg = ev.agent
  if (!cfg.enable) return undefined
  const user = String(cfg.user)
  const env = {
    ...agentEnvironment(ev.moduleVersion, cfg, '/var/lib/nixfleet-agent/repo', `/home/${user}`),
    NIXFLEET_TOKEN_CACHE: '/var/lib/nixfleet-agent/token',
    PATH: '/run/wrappers/bin:/run/current-system/sw/bin:/usr/local/bin:/usr/bin:/bin',
  }
  return [
    '[Unit]',
    `Description=NixFleet Agent (${ev.moduleVersion === 'v1' ? 'v1, HTTP polling' : 'v2, WebSocket'})`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${agentBinary(ev)}`,
    'Restart=always',
    'RestartSec=3',
    'RestartForceExitStatus=101',
    `User=${user}`,
    'Group=users',
    `EnvironmentFile=${String(cfg.tokenFile)}`,
    'StateDirectory=nixfleet-agent',
    'StateDirectoryMode=0700',
    'NoNewPrivileges=false',
    ...Object.entries(env).map(([k, v]) => `Environment="${k}=${v.replace(/"/g, '\\"')}"`),
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n')
}
