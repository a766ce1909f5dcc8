import { execFileSync } from 'node:child_process'

/** Where the gateway (the rehearsal's GitHub) keeps a repository. */
export const gatewayRepo = (repo: 'nixcfg' | 'nixfleet'): string =>
  `/srv/git/markus-barta/${repo}.git`

/** The commit a branch of a simulated remote is at, read on the gateway itself. */
export function remoteHead(repo: 'nixcfg' | 'nixfleet', branch = 'main'): string {
  return execFileSync(
    'docker',
    ['exec', 'rehearsal-gateway', 'git', `--git-dir=${gatewayRepo(repo)}`, 'rev-parse', branch],
    { encoding: 'utf8' },
  ).trim()
}
