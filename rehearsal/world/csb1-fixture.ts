import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleForNode } from '../../docker/bundle.ts'
import { seedV1Database } from '../../docker/sim/nixfleet/dashboard-v1/seed.ts'
import { readRevisions } from '../../docker/sim/nixfleet/revisions.ts'
import type { RehearsalSecrets } from './secrets.ts'
import { fixtureGit } from './fixture-git.ts'
import { paths } from './state.ts'
import type { RehearsalTls } from './tls.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SIM = join(ROOT, 'docker', 'sim')
/** better-sqlite3 and what it loads at run time; built on this machine for the same Debian and Node. */
const NATIVE_MODULES = ['better-sqlite3', 'bindings', 'file-uri-to-path']

/**
 * What of a native module the dashboard loads: better-sqlite3's JavaScript and
 * its compiled addon, not its 27 MB of build tree and SQLite sources. The
 * build tree also holds this checkout's absolute paths (Makefile, .deps), which
 * made the fixture's nixfleet trees, and so csb1's seed key, differ per clone.
 */
export function loadedAtRunTime(module: string, rel: string): boolean {
  if (module !== 'better-sqlite3') return true
  const parts = rel.split(sep).filter(Boolean)
  if (parts.length === 0) return true
  const [top, ...rest] = parts
  if (top === 'package.json' || top === 'LICENSE' || top === 'lib') return true
  // build/Release/better_sqlite3.node, and the two folders on the way to it.
  const addon = ['Release', 'better_sqlite3.node']
  return top === 'build' && rest.length <= addon.length && rest.every((p, i) => p === addon[i])
}

/** The native modules a dashboard loads, copied into its app's node_modules. */
export function copyNativeModules(appDir: string): void {
  for (const m of NATIVE_MODULES) {
    const from = join(ROOT, 'node_modules', m)
    cpSync(from, join(appDir, 'node_modules', m), {
      recursive: true,
      filter: (src) => loadedAtRunTime(m, relative(from, src)),
    })
  }
}

/** Bundles one entry point to `outfile` (its directory and base name). */
async function bundle(entry: string, outfile: string, external: string[] = []): Promise<void> {
  await bundleForNode({ [basename(outfile, '.mjs')]: entry }, dirname(outfile), external)
}

/** A dashboard's bundle with its native modules and the revisions it can be (read with its REVISION). */
async function dashboardApp(entry: string, appDir: string): Promise<void> {
  await bundle(entry, join(appDir, 'dashboard.mjs'), ['better-sqlite3'])
  cpSync(join(ROOT, 'docker', 'nixfleet-revs.json'), join(appDir, 'nixfleet-revs.json'))
  copyNativeModules(appDir)
}

const git = fixtureGit

/** The real nixfleet revisions the simulation models, oldest first (docker/nixfleet-revs.json). */
const REVS = readRevisions(join(ROOT, 'docker', 'nixfleet-revs.json'))

/**
 * The nixfleet source repository as csb1 knows it, one commit per real
 * revision the simulation models, in their real order. A commit's hash is
 * its content, so a fixture cannot carry the real hashes: each commit names
 * the revision it stands in for (a `Stand-in-for:` trailer and `REVISION` in
 * its tree, which the simulated dashboard reads), and the map from real
 * revision to fixture commit is written for the target's description. The
 * layout is the real repository's: the root compose file is the generic v1
 * example at every revision, csb1's v1 deployment is
 * docker/docker-compose.csb1.yml, and v2/ (with its Dockerfile) comes with
 * the first v2 revision. Returns the bare repository and the commit csb1's v1
 * checkout sits at (the last v1 revision, tag v1.0.0).
 */
export async function createNixfleetRemote(): Promise<{ bare: string; v1Commit: string }> {
  const work = mkdtempSync(join(tmpdir(), 'nixfleet-src-'))
  cpSync(join(ROOT, 'fixtures', 'nixfleet-src', 'v1'), work, { recursive: true })
  await dashboardApp(join(SIM, 'nixfleet', 'dashboard-v1', 'main.ts'), join(work, 'app'))
  const date = '2025-12-14T09:10:00+01:00'
  git(work, date, 'init', '--quiet', '--initial-branch=main')
  const standIns: Record<string, string> = {}
  let v1Commit = ''
  for (const [rev, version] of REVS) {
    if (version === 'v2' && !existsSync(join(work, 'v2'))) {
      cpSync(join(ROOT, 'fixtures', 'nixfleet-src', 'v2'), work, { recursive: true })
      await dashboardApp(join(SIM, 'nixfleet', 'dashboard-v2', 'main.ts'), join(work, 'v2', 'app'))
    }
    writeFileSync(join(work, version === 'v2' ? 'v2/app/REVISION' : 'app/REVISION'), `${rev}\n`)
    git(work, date, 'add', '-A')
    git(
      work,
      date,
      'commit',
      '--quiet',
      '-m',
      `${version}: stand-in for nixfleet ${rev.slice(0, 7)}`,
      '-m',
      `Stand-in-for: ${rev}`,
    )
    standIns[rev] = git(work, date, 'rev-parse', 'HEAD')
    if (version === 'v1') v1Commit = standIns[rev]
  }
  const bare = join(paths.dir, 'nixfleet.git')
  rmSync(bare, { recursive: true, force: true })
  git(work, date, 'clone', '--quiet', '--bare', work, bare)
  rmSync(work, { recursive: true, force: true })
  writeFileSync(paths.nixfleetStandIns, JSON.stringify(standIns, null, 2) + '\n')
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
