/**
 * Simulated NixFleet v1 agent (the Bash agent's outside behaviour, reference
 * §6.1): every NIXFLEET_INTERVAL seconds it POSTs /api/hosts/<host>/register
 * over HTTPS with the bearer token; failures back off exponentially up to
 * 300 s. While it runs, the v1 dashboard sees the host's last poll advance.
 */
import { execFileSync } from 'node:child_process'
import { request } from 'node:https'
import { readFileSync } from 'node:fs'

const env = process.env
const log = (msg: string): void =>
  void process.stderr.write(`[${new Date().toISOString()}] nixfleet-agent: ${msg}\n`)

function fail(msg: string): never {
  log(`ERROR: ${msg}`)
  process.exit(1)
}

const baseUrl = env.NIXFLEET_URL ?? fail('NIXFLEET_URL is required')
if (!baseUrl.startsWith('https://') && !env.NIXFLEET_ALLOW_INSECURE_HTTP)
  fail(`NIXFLEET_URL must be https:// (got ${baseUrl})`)
const token = env.NIXFLEET_TOKEN ?? fail('NIXFLEET_TOKEN is required')
const interval = Number(env.NIXFLEET_INTERVAL ?? '30')
const hostname =
  env.NIXFLEET_HOSTNAME ?? execFileSync('hostname', ['-s'], { encoding: 'utf8' }).trim()
const hostType =
  env.NIXFLEET_HOST_TYPE ??
  (execFileSync('uname', ['-s'], { encoding: 'utf8' }).trim() === 'Darwin' ? 'macos' : 'nixos')

function generation(): string {
  try {
    return execFileSync(
      'git',
      ['-C', env.NIXFLEET_REPO_DIR ?? '.', 'rev-parse', '--short=7', 'HEAD'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    ).trim()
  } catch {
    return 'unknown'
  }
}

function osVersion(): string {
  try {
    return /VERSION_ID="?([^"\n]+)/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

function register(): Promise<number> {
  const body = JSON.stringify({
    hostname,
    host_type: hostType,
    location: env.NIXFLEET_LOCATION,
    device_type: env.NIXFLEET_DEVICE_TYPE,
    theme_color: env.NIXFLEET_THEME_COLOR,
    current_generation: generation(),
    poll_interval: interval,
    agent_version: '0.4.0',
    os_version: osVersion(),
  })
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl.replace(/\/$/, '')}/api/hosts/${encodeURIComponent(hostname)}/register`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        timeout: 15_000,
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end(body)
  })
}

let backoff = interval
log(`starting (v1, polling ${baseUrl} every ${interval}s as ${hostname})`)
process.on('SIGTERM', () => {
  log('stopping (SIGTERM)')
  process.exit(0)
})
for (;;) {
  try {
    const status = await register()
    if (status >= 200 && status < 300) {
      log(`registered (HTTP ${status})`)
      backoff = interval
    } else {
      log(`register failed: HTTP ${status}`)
      backoff = Math.min(backoff * 2, 300)
    }
  } catch (err) {
    log(`register failed: ${(err as Error).message}`)
    backoff = Math.min(backoff * 2, 300)
  }
  await new Promise((r) => setTimeout(r, (backoff === interval ? interval : backoff) * 1000))
}
