import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleForNode } from '../../docker/bundle.ts'
import { seedV1Database } from '../../docker/sim/nixfleet/dashboard-v1/seed.ts'
import type { RehearsalSecrets } from './secrets.ts'
import { fixtureGit } from './fixture-git.ts'
import { paths } from './state.ts'
import type { RehearsalTls } from './tls.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SIM = join(ROOT, 'docker', 'sim')
/** better-sqlite3 and what it loads at run time; built on this machine for the same Debian and Node. */
const NATIVE_MODULES = ['better-sqlite3', 'bindings', 'file-uri-to-path']

/** Bundles one entry point to `outfile` (its directory and base name). */
async function bundle(entry: string, outfile: string, external: string[] = []): Promise<void> {
  await bundleForNode({ [basename(outfile, '.mjs')]: entry }, dirname(outfile), external)
}

async function dashboardApp(entry: string, appDir: string): Promise<void> {
  await bundle(entry, join(appDir, 'dashboard.mjs'), ['better-sqlite3'])
  for (const m of NATIVE_MODULES)
    cpSync(join(ROOT, 'node_modules', m), join(appDir, 'node_modules', m), { recursive: true })
}

const git = fixtureGit

/**
 * The nixfleet source repository as csb1 knows it: a v1 commit (the running
 * dashboard) and the next commit adding v2/ (what `git pull` brings in).
 * Returns the bare repository and the v1 commit.
 */
export async function createNixfleetRemote(): Promise<{ bare: string; v1Commit: string }> {
  const work = mkdtempSync(join(tmpdir(), 'nixfleet-src-'))
  cpSync(join(ROOT, 'fixtures', 'nixfleet-src', 'v1'), work, { recursive: true })
  await dashboardApp(join(SIM, 'nixfleet', 'dashboard-v1', 'main.ts'), join(work, 'app'))
  git(work, '2025-12-10T09:00:00+01:00', 'init', '--quiet', '--initial-branch=main')
  git(work, '2025-12-10T09:00:00+01:00', 'add', '-A')
  git(
    work,
    '2025-12-10T09:00:00+01:00',
    'commit',
    '--quiet',
    '-m',
    'v1: FastAPI dashboard, csb1 compose',
  )
  const v1Commit = git(work, '2025-12-10T09:00:00+01:00', 'rev-parse', 'HEAD')
  cpSync(join(ROOT, 'fixtures', 'nixfleet-src', 'v2'), work, { recursive: true })
  await dashboardApp(join(SIM, 'nixfleet', 'dashboard-v2', 'main.ts'), join(work, 'v2', 'app'))
  git(work, '2025-12-14T12:36:00+01:00', 'add', '-A')
  git(
    work,
    '2025-12-14T12:36:00+01:00',
    'commit',
    '--quiet',
    '-m',
    'feat(v2): Go dashboard with WebSocket agents (P4500)',
  )
  const bare = join(paths.dir, 'nixfleet.git')
  rmSync(bare, { recursive: true, force: true })
  git(work, '2025-12-14T12:36:00+01:00', 'clone', '--quiet', '--bare', work, bare)
  rmSync(work, { recursive: true, force: true })
  return { bare, v1Commit }
}

/** csb1's ~/docker main stack: the TLS front with its certificate, and the neighbours (routed by their labels). */
export async function createCsb1DockerDir(tls: RehearsalTls): Promise<string> {
  const dir = join(paths.dir, 'csb1-docker')
  rmSync(dir, { recursive: true, force: true })
  cpSync(join(ROOT, 'fixtures', 'csb1-docker'), dir, { recursive: true })
  await bundle(join(SIM, 'csb1', 'front.ts'), join(dir, 'front', 'front.mjs'))
  await bundle(join(SIM, 'csb1', 'neighbour.ts'), join(dir, 'neighbour', 'neighbour.mjs'))
  mkdirSync(join(dir, 'front', 'config'), { recursive: true })
  writeFileSync(join(dir, 'front', 'config', 'tls.crt'), tls.cert + tls.caCert)
  writeFileSync(join(dir, 'front', 'config', 'tls.key'), tls.key)
  return dir
}

export function createV1Database(): string {
  const file = join(paths.dir, 'v1-seed', 'nixfleet.db')
  rmSync(join(paths.dir, 'v1-seed'), { recursive: true, force: true })
  seedV1Database(file)
  return file
}

/** v1's ~/docker/nixfleet/.env (v1 names) and the prepared v2 ~/secrets/nixfleet.env (P4500 secrets mapping). */
export function envFiles(s: RehearsalSecrets): { v1: string; v2: string } {
  return {
    v1: [
      `NIXFLEET_PASSWORD_HASH=${s.passwordHash}`,
      `NIXFLEET_TOTP_SECRET=${s.totpSecret}`,
      `NIXFLEET_API_TOKEN=${s.agentToken}`,
      `NIXFLEET_SESSION_SECRETS=${s.sessionSecret}`,
      `NIXFLEET_AGENT_TOKEN_HASH_SECRET=${s.v1HashSecret}`,
      'NIXFLEET_ALLOW_SHARED_AGENT_TOKEN=true',
      '',
    ].join('\n'),
    v2: [
      `NIXFLEET_PASSWORD_HASH=${s.passwordHash}`,
      `NIXFLEET_TOTP_SECRET=${s.totpSecret}`,
      `NIXFLEET_SESSION_SECRET=${s.sessionSecret}`,
      `NIXFLEET_AGENT_TOKEN=${s.agentToken}`,
      'NIXFLEET_LOG_LEVEL=info',
      '',
    ].join('\n'),
  }
}
