import { agentBinary, agentEnvironment } from '../lib/agent-env.ts'
import { join } from 'node:path'
import { SIM_DIR, type Evaluation } from '../lib/evaluate.ts'
import { behaviourAt, readRevisions } from '../nixfleet/revisions.ts'

/**
 * From 393dc40 (modules/nixos.nix) the unit sets restartIfChanged and
 * stopIfChanged to false, which NixOS writes as these [Unit] keys: a switch
 * that changes the unit no longer stops the agent that runs it.
 */
function survivesOwnSwitch(ev: Evaluation, revsFile: string): boolean {
  return (
    ev.moduleVersion === 'v2' &&
    behaviourAt(ev.revision, readRevisions(revsFile)).nixosSwitchSurvives
  )
}

/** nixfleet-agent.service as the nixfleet NixOS module renders it (reference §5.2). */
export function renderAgentUnit(
  ev: Evaluation,
  revsFile = join(SIM_DIR, 'nixfleet-revs.json'),
): string | undefined {
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
    ...(survivesOwnSwitch(ev, revsFile)
      ? ['X-RestartIfChanged=false', 'X-StopIfChanged=false']
      : []),
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

/**
 * What switch-to-configuration does with the agent's unit: start a new one;
 * for a changed one, skip it when the new unit says X-RestartIfChanged=false,
 * restart it when it says X-StopIfChanged=false, else stop it before
 * activation and start it after.
 */
export function changedUnitAction(
  prev: string | undefined,
  next: string,
): 'start' | 'skip' | 'restart' | 'stop-start' {
  if (prev === undefined) return 'start'
  if (/^X-RestartIfChanged=false$/m.test(next)) return 'skip'
  if (/^X-StopIfChanged=false$/m.test(next)) return 'restart'
  return 'stop-start'
}
