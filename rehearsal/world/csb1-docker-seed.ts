import { createHash } from 'node:crypto'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CACHE } from '../../docker/build-images.ts'
import { hashTree } from '../../helpers/cache/hash-tree.ts'
import { progress } from '../../helpers/output/say.ts'
import { formatMs } from '../../helpers/time/duration.ts'
import { INNER_DOCKER } from './systemd-container.ts'

/**
 * csb1's Docker data directory as it is before the migration: the local base
 * image, the main stack's images and the v1 dashboard's image, built once per
 * change of their inputs (see docker/csb1-seed/build-seed.sh). Loading and
 * building them at every first boot cost csb1 about 20 s of its two cores'
 * time; a copy of this directory costs half a second.
 */
const SCRIPT = fileURLToPath(new URL('../../docker/csb1-seed/build-seed.sh', import.meta.url))
const PREFIX = 'csb1-docker-seed-'
const BUILD_DEADLINE_MS = 5 * 60_000

export interface SeedSources {
  /** The csb1 image tag (its hash covers the base tar, the engine and its settings). */
  csb1Image: string
  /** csb1's ~/docker main stack; front/config (certificate) is mounted, not built in. */
  mainStack: string
  nixfleetBare: string
  v1Commit: string
}

const notBuiltIn = (rel: string): boolean => rel === join('front', 'config')

export function seedKey(s: SeedSources): string {
  const h = createHash('sha256')
    .update(s.csb1Image)
    .update(readFileSync(SCRIPT))
    // The v1 tree's own hash: the dashboard's sources, Dockerfile and compose file.
    .update(execFileSync('git', ['--git-dir', s.nixfleetBare, 'rev-parse', `${s.v1Commit}^{tree}`]))
  return hashTree(h, s.mainStack, s.mainStack, notBuiltIn).digest('hex').slice(0, 12)
}

/** The seed directory for these sources, built first if it is not there yet. */
export function ensureCsb1DockerSeed(s: SeedSources): string {
  const key = seedKey(s)
  const seed = join(CACHE, PREFIX + key)
  if (existsSync(join(seed, '.complete'))) return seed
  const started = Date.now()
  progress(`csb1 seed: building csb1's pre-migration images (inputs changed: ${key})`)
  mkdirSync(CACHE, { recursive: true })
  const staging = `${seed}.partial`
  const sources = mkdtempSync(join(tmpdir(), 'csb1-seed-src-'))
  rmSync(staging, { recursive: true, force: true })
  mkdirSync(staging)
  try {
    cpSync(s.mainStack, join(sources, 'docker'), {
      recursive: true,
      filter: (src) => !notBuiltIn(relative(s.mainStack, src)),
    })
    const v1 = join(sources, 'docker', 'nixfleet')
    mkdirSync(v1)
    execFileSync('sh', [
      '-c',
      `git --git-dir="$1" archive "$2" | tar -x -C "$3"`,
      'sh',
      s.nixfleetBare,
      s.v1Commit,
      v1,
    ])
    // compose reads env_file even to build; the real .env is never part of an image.
    writeFileSync(join(v1, '.env'), '')
    runSeedContainer(s.csb1Image, staging, sources)
    writeFileSync(join(staging, '.complete'), `${new Date().toISOString()}\n`)
    rmSync(seed, { recursive: true, force: true })
    renameSync(staging, seed)
    // Only the newest seed is kept: an older one is never used again.
    for (const old of readdirSync(CACHE).filter((f) => f.startsWith(PREFIX) && f !== PREFIX + key))
      rmSync(join(CACHE, old), { recursive: true, force: true })
  } finally {
    rmSync(sources, { recursive: true, force: true })
    rmSync(staging, { recursive: true, force: true })
  }
  progress(`csb1 seed: ready in ${formatMs(Date.now() - started)}`)
  return seed
}

function runSeedContainer(image: string, dataDir: string, sources: string): void {
  const name = 'rehearsal-csb1-seed'
  spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' })
  const r = spawnSync(
    'docker',
    [
      'run',
      '--rm',
      '--name',
      name,
      '--label',
      'runbook.rehearsal=1',
      '--cgroupns',
      'host',
      '--cap-add',
      'SYS_ADMIN',
      ...INNER_DOCKER.capabilities.flatMap((c) => ['--cap-add', c]),
      ...INNER_DOCKER.securityOpts.flatMap((o) => ['--security-opt', o]),
      '-v',
      '/sys/fs/cgroup:/sys/fs/cgroup:rw',
      '-v',
      `${dataDir}:/var/lib/docker`,
      '-v',
      `${sources}:/seed:ro`,
      '-v',
      `${SCRIPT}:/usr/local/bin/build-seed:ro`,
      '--tmpfs',
      '/run:rw,exec,mode=755',
      '--entrypoint',
      '/bin/sh',
      image,
      '/usr/local/bin/build-seed',
    ],
    { encoding: 'utf8', timeout: BUILD_DEADLINE_MS },
  )
  if (r.status !== 0) {
    spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' })
    const why = r.error ? `no result within ${formatMs(BUILD_DEADLINE_MS)}` : `exit ${r.status}`
    throw new Error(`csb1 seed: building the pre-migration images failed (${why}):\n${r.stderr}`)
  }
}

/** A private copy of the seed for one rehearsal's csb1 (its engine writes into it). */
export function copySeed(seed: string, target: string): void {
  rmSync(target, { recursive: true, force: true })
  execFileSync('cp', ['-a', seed, target])
  rmSync(join(target, '.complete'), { force: true })
}
