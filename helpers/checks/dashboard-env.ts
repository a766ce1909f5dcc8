import type { Host } from '../hosts/host.ts'
import { HostError } from '../hosts/errors.ts'
import { remotePath, sh } from '../shell/quote.ts'

/** What the v2 dashboard refuses to start without (reference §3.1, config.go at b860b3a). */
export const V2_REQUIRED_VARIABLES = [
  'NIXFLEET_PASSWORD_HASH',
  'NIXFLEET_SESSION_SECRET',
  'NIXFLEET_AGENT_TOKEN',
] as const

/**
 * Names in an env file and whether each has a value; the values never leave
 * the host (awk prints only the name and "set"/"empty").
 */
export async function envFileNames(host: Host, file: string): Promise<Map<string, boolean>> {
  const awk = String.raw`/^[[:space:]]*(export[[:space:]]+)?[A-Za-z_][A-Za-z0-9_]*=/ {
    line = $0; sub(/^[[:space:]]*(export[[:space:]]+)?/, "", line)
    name = substr(line, 1, index(line, "=") - 1); value = substr(line, index(line, "=") + 1)
    gsub(/^[[:space:]]+|[[:space:]]+$/, "", value)
    print name, ((value == "" || value == "\"\"" || value == "''") ? "empty" : "set") }`
  const r = await host.run(sh`awk ${awk} ${remotePath(file)}`, { timeout: '30s' })
  if (r.exitCode !== 0)
    throw new HostError(
      host.name,
      `cannot read ${file}: ${r.stderr.trim() || `exit ${r.exitCode}`}`,
    )
  const names = new Map<string, boolean>()
  for (const line of r.stdout.split('\n')) {
    const [name, state] = line.trim().split(' ')
    if (name) names.set(name, state === 'set')
  }
  return names
}

/** The required names that are absent or empty; [] when the file is ready for v2. */
export async function missingV2Variables(host: Host, file: string): Promise<string[]> {
  const names = await envFileNames(host, file)
  return V2_REQUIRED_VARIABLES.filter((v) => !names.get(v))
}
