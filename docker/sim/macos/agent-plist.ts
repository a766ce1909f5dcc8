import plist from 'plist'
import { agentBinary, agentEnvironment } from '../lib/agent-env.ts'
import type { Evaluation } from '../lib/evaluate.ts'
import { join } from 'node:path'
import { quote } from '../../../helpers/shell/quote.ts'
import { SIM_DIR } from '../lib/evaluate.ts'
import { behaviourAt, readRevisions } from '../nixfleet/revisions.ts'

export const LABEL = 'com.nixfleet.agent'

/**
 * launchd.agents.nixfleet-agent as the nixfleet home-manager module renders
 * it (reference §5.3): a bash wrapper that exports the NIXFLEET_* variables,
 * reads the token file with cat, then execs the agent. From 3999ab9
 * (modules/home-manager.nix) it first waits up to 60 s for the dashboard's
 * /health and then starts anyway with a warning on stderr: against a
 * dashboard without /health (before 6933b5f) every start of the Mac's agent
 * is a minute late. Logs go to /tmp/nixfleet-agent.{log,err}.
 */
export function renderAgentPlist(
  ev: Evaluation,
  home: string,
  revsFile = join(SIM_DIR, 'nixfleet-revs.json'),
): string | undefined {
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
  const waitsForHealth =
    ev.moduleVersion === 'v2' && behaviourAt(ev.revision, readRevisions(revsFile)).macWaitsForHealth
  const wait = [
    'waited=0',
    `while ! curl -sf --connect-timeout 2 --max-time 5 ${quote(health)} >/dev/null 2>&1; do`,
    '  if [ "$waited" -ge 60 ]; then echo "nixfleet-agent: no answer from the dashboard\'s /health in 60 s; starting the agent anyway" >&2; break; fi',
    '  sleep 2; waited=$((waited + 2))',
    'done',
  ]
  const script = [
    ...(waitsForHealth ? wait : []),
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
