import { missingV2Variables } from '../checks/dashboard-env.ts'
import { HostError } from '../hosts/errors.ts'
import { remotePath, sh } from '../shell/quote.ts'
import type { DashboardStack } from './dashboard-stack.ts'
import { describeContainer, type DashboardContainer } from './v1-container.ts'

/**
 * v1's names → v2's (reference §3, the executed plan's §2.4): the password
 * hash and the TOTP secret are kept, the shared agent token is renamed;
 * v1's session secrets and token-hash secret are not carried over.
 */
const MAP_V1_TO_V2 = String.raw`BEGIN { FS = "=" }
  $1 == "NIXFLEET_PASSWORD_HASH" || $1 == "NIXFLEET_TOTP_SECRET" { print; next }
  $1 == "NIXFLEET_API_TOKEN" { sub(/^NIXFLEET_API_TOKEN=/, ""); print "NIXFLEET_AGENT_TOKEN=" $0; next }`

/** What plan mode shows. */
export function envFileCommand(stack: DashboardStack): string {
  return `docker inspect <v1 container> (its environment) | map v1 → v2 names > ${stack.inventory.dashboard.env_file}   # only if absent; values never leave csb1; a new NIXFLEET_SESSION_SECRET`
}

/**
 * The v2 secrets file, `~/secrets/nixfleet.env`. An existing file is the
 * operator's and is never rewritten: it is used when it holds every variable
 * v2 requires and refused otherwise. When there is none, it is written on
 * csb1 from the v1 container's own environment (what v1 really ran with,
 * wherever its .env was), mapped to v2's names, with a new session secret
 * from csb1's /dev/urandom, mode 600. No value crosses the SSH connection:
 * the command carries only names, and its output is not read.
 */
export async function ensureV2EnvFile(
  stack: DashboardStack,
  v1: DashboardContainer | undefined,
): Promise<string> {
  const { host } = stack
  const file = stack.inventory.dashboard.env_file
  const path = remotePath(file).text
  const exists = (await host.run(`test -e ${path}`, { timeout: '30s' })).exitCode === 0
  if (!exists) {
    if (!v1)
      throw new HostError(
        host.name,
        `${file} does not exist and no v1 container is left to take v1's secrets from; write it (reference §3 lists the variables); nothing was deployed`,
      )
    const script = [
      'set -eu',
      'umask 077',
      `mkdir -p "$(dirname ${path})"`,
      `tmp=${path}.runbook-new`,
      sh`docker inspect -f ${'{{range .Config.Env}}{{println .}}{{end}}'} ${v1.id} | awk ${MAP_V1_TO_V2} > "$tmp"`,
      // printf is the shell's own: the new secret is in no process's arguments.
      `printf 'NIXFLEET_SESSION_SECRET=%s\\n' "$(od -An -N32 -tx1 /dev/urandom | tr -d ' \\n')" >> "$tmp"`,
      `printf 'NIXFLEET_LOG_LEVEL=info\\n' >> "$tmp"`,
      `mv -n "$tmp" ${path}`,
    ].join('\n')
    const r = await host.run(script, { timeout: '1m', unrecordedStdout: true })
    if (r.exitCode !== 0)
      throw new HostError(
        host.name,
        `writing ${file} from ${describeContainer(v1)} failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`,
      )
  }
  const missing = await missingV2Variables(host, file)
  if (missing.length)
    throw new HostError(
      host.name,
      `${file} lacks ${missing.join(', ')} (absent or empty): v2 would stop with "failed to load configuration"; nothing was deployed`,
    )
  return exists
    ? `${file} exists and holds every variable v2 requires (kept as it is)`
    : `${file} written from ${v1?.name ?? 'v1'}'s environment (v1 → v2 names, new session secret, mode 600)`
}
