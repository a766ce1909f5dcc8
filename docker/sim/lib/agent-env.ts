import type { AgentConfig } from './evaluate.ts'

/** Agent package paths in the simulated store (the image installs both versions there). */
export const AGENT_BIN = {
  v1: '/nix/store/8eef91b0v1nixfleetagentpackage00-nixfleet-agent-0.4.0/bin/nixfleet-agent',
  v2: '/nix/store/b860b3a0v2nixfleetagentpackage00-nixfleet-agent-2.0.0/bin/nixfleet-agent',
} as const

type Cfg = Extract<AgentConfig, { enable: true }>

const str = (v: string | number | boolean | null | undefined): string =>
  v === null || v === undefined ? '' : String(v)

/** The environment the nixfleet modules give the agent (reference §5.2/§5.3). */
export function agentEnvironment(
  version: 'v1' | 'v2',
  cfg: Cfg,
  repoDir: string,
  home: string,
): Record<string, string> {
  const env: Record<string, string> = {
    NIXFLEET_URL: str(cfg.url),
    NIXFLEET_BRANCH: str(cfg.branch),
    NIXFLEET_INTERVAL: str(cfg.interval),
    NIXFLEET_REPO_DIR: repoDir,
    HOME: home,
  }
  if (cfg.repoUrl) env.NIXFLEET_REPO_URL = str(cfg.repoUrl)
  if (cfg.configRepo) env.NIXFLEET_NIXCFG = str(cfg.configRepo)
  if (cfg.sshKeyFile) env.NIXFLEET_SSH_KEY = str(cfg.sshKeyFile)
  if (version === 'v1') {
    env.NIXFLEET_LOCATION = str(cfg.location)
    env.NIXFLEET_DEVICE_TYPE = str(cfg.deviceType)
    env.NIXFLEET_THEME_COLOR = str(cfg.themeColor)
  } else {
    env.NIXFLEET_LOG_LEVEL = str(cfg.logLevel)
  }
  return env
}
