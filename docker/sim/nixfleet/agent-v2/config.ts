import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { hostname as osHostname } from 'node:os'
import { join } from 'node:path'
import { SIM_DIR } from '../../lib/evaluate.ts'
import { behaviourAt, readRevisions, type Behaviour } from '../revisions.ts'

const DARWIN_UNAME = '/usr/local/bin/uname'

/** The v2 agent's environment (reference §4.1); required variables missing → fatal, exit 1. */
export interface AgentConfig {
  url: string
  token: string
  repoUrl: string
  repoDir: string
  branch: string
  intervalS: number
  hostname: string
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  hostType: 'nixos' | 'macos'
  /** What this agent does, by the revision its package was built from. */
  behaviour: Behaviour
}

/** The package's revision (NIXFLEET_AGENT_REVISION, baked in by agent-packages.ts). */
function packageBehaviour(env: NodeJS.ProcessEnv): Behaviour {
  const revision = env.NIXFLEET_AGENT_REVISION ?? ''
  if (!revision) throw new Error('the agent package carries no revision (NIXFLEET_AGENT_REVISION)')
  return behaviourAt(
    revision,
    readRevisions(env.RUNBOOK_SIM_REVS ?? join(SIM_DIR, 'nixfleet-revs.json')),
  )
}

/**
 * The agent's own name for its host (v2/internal/config/config.go): Go's
 * os.Hostname() before 7377787, which on a Mac is the network's name for it
 * (imac0 reported imac0w.lan); from 7377787 LocalHostName on macOS and the
 * host name without its domain elsewhere.
 */
function detectHostname(hostType: 'nixos' | 'macos', behaviour: Behaviour): string {
  const kernel = osHostname()
  if (!behaviour.hostnameFromLocalHostName) return kernel
  if (hostType === 'macos') {
    try {
      const local = execFileSync('/usr/local/bin/scutil', ['--get', 'LocalHostName'], {
        encoding: 'utf8',
      }).trim()
      if (local) return local
    } catch {
      // Falls back to the host name, as the real agent does when scutil fails.
    }
  }
  return kernel.split('.')[0] ?? kernel
}

export function loadAgentConfig(env: NodeJS.ProcessEnv): AgentConfig {
  const errors: string[] = []
  const url = env.NIXFLEET_URL ?? ''
  if (!url) errors.push('NIXFLEET_URL is required')
  else if (!/^wss?:\/\//.test(url))
    errors.push(`NIXFLEET_URL must be a ws:// or wss:// URL (got ${url})`)
  const token = env.NIXFLEET_TOKEN ?? ''
  if (!token) errors.push('NIXFLEET_TOKEN is required')
  const repoDir = env.NIXFLEET_REPO_DIR ?? env.NIXFLEET_NIXCFG ?? ''
  if (!repoDir && !env.NIXFLEET_REPO_URL)
    errors.push('one of NIXFLEET_REPO_URL, NIXFLEET_REPO_DIR or NIXFLEET_NIXCFG is required')
  const intervalS = Number(env.NIXFLEET_INTERVAL ?? '30')
  if (!Number.isInteger(intervalS) || intervalS < 1)
    errors.push(`NIXFLEET_INTERVAL must be an integer >= 1 (got ${env.NIXFLEET_INTERVAL ?? ''})`)
  if (errors.length) throw new Error(errors.join('; '))
  const behaviour = packageBehaviour(env)
  // The Go agent asks the runtime (GOOS), not PATH; the simulated Mac's Darwin `uname`
  // lives in /usr/local/bin, which a launchd job's PATH need not include.
  const uname = execFileSync(existsSync(DARWIN_UNAME) ? DARWIN_UNAME : 'uname', ['-s'], {
    encoding: 'utf8',
  }).trim()
  const hostType = uname === 'Darwin' ? 'macos' : 'nixos'
  const hostname = env.NIXFLEET_HOSTNAME ?? detectHostname(hostType, behaviour)
  return {
    url,
    token,
    repoUrl: env.NIXFLEET_REPO_URL ?? '',
    repoDir: repoDir || `${env.HOME ?? '/tmp'}/.local/state/nixfleet-agent/repo`,
    branch: env.NIXFLEET_BRANCH ?? 'main',
    intervalS,
    hostname,
    logLevel: (env.NIXFLEET_LOG_LEVEL as AgentConfig['logLevel'] | undefined) ?? 'info',
    hostType,
    behaviour,
  }
}
