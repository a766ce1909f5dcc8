import plist from 'plist'
import { agentBinary, agentEnvironment } from '../lib/agent-env.ts'
import type { Evaluation } from '../lib/evaluate.ts'
import { quote } from '../../../helpers/shell/quote.ts'

export const LABEL = 'com.nixfleet.agent'

/**
 * launchd.agents.nixfleet-agent as the nixfleet home-manager module renders
 * it (reference §5.3): a bash wrapper that waits up to 60 s for the
 * dashboard's /health, exports the NIXFLEET_* variables, reads the token file
 * with cat, then execs the agent. Logs go to /tmp/nixfleet-agent.{log,err}.
 */
export function renderAgentPlist(ev: Evaluation, home: string): string | undefined {
  const cfg = ev.agent
  if (!cfg.enable) return undefined
  const env = agentEnvironment(
    ev.moduleVersion,
    cfg,
    `${home}/.local/state/nixfleet-agent/repo`,
    home,
  )
  const health =
    String(cfg.url)
      .replace(/^wss:/, 'https:')
      .replace(/^ws:/, 'http:')
      .replace(/\/ws$/, '')
      .replace(/\/$/, '') + '/health'
  const script = [
    `for i in $(seq 1 30); do curl -sf ${quote(health)} >/dev/null 2>&1 && break; sleep 2; done`,
    'export PATH="/etc/profiles/per-user/$USER/bin:/run/current-system/sw/bin:/nix/var/nix/profiles/default/bin:$PATH"',
    ...Object.entries(env).map(([k, v]) => `export ${k}=${quote(v)}`),
    `export NIXFLEET_TOKEN="$(cat ${quote(String(cfg.tokenFile))})"`,
    `exec ${agentBinary(ev)}`,
  ].join('\n')
  return plist.build({
    Label: LABEL,
    ProgramArguments: ['/bin/bash', '-c', script],
    RunAtLoad: true,
    KeepAlive: true,
    StandardOutPath: '/tmp/nixfleet-agent.log',
    StandardErrorPath: '/tmp/nixfleet-agent.err',
  })
}
