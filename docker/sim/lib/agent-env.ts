import { storePath, type AgentConfig, type Evaluation } from './evaluate.ts'

/** The v1 agent package (Bash; its behaviour does not differ between the v1 revisions modelled). */
export const V1_AGENT_BIN =
  '/nix/store/8eef91b0v1nixfleetagentpackage00-nixfleet-agent-0.4.0/bin/nixfleet-agent'

/**
 * The v2 agent package built from one nixfleet revision: its own store path,
 * as a real package built from another source is, with the revision baked in
 * (the image installs one per modelled v2 revision: agent-packages.ts).
 */
export function v2AgentPackage(revision: string): string {
  return storePath('nixfleet-agent-2.0.0', revision)
}

/** The agent program the module's unit or job runs for this evaluation. */
export function agentBinary(ev: Pick<Evaluation, 'moduleVersion' | 'revision'>): string {
  return ev.moduleVersion === 'v1'
    ? V1_AGENT_BIN
    : `${v2AgentPackage(ev.revision)}/bin/nixfleet-agent`
}

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
