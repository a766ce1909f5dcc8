/**
 * Builds the simulated fleet's images offline (no registry is reachable):
 * a Debian base from debootstrap turned into an image with `docker import`,
 * then one image per machine role on top. Every tag carries a hash of its
 * inputs, so an image is rebuilt only when something it is made of changed.
 *
 *   npx tsx docker/build-images.ts        # prints the tags as JSON
 */
import { createHash } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleForNode } from './bundle.ts'
import { hashTree } from '../helpers/cache/hash-tree.ts'

const DOCKER_DIR = fileURLToPath(new URL('.', import.meta.url))
/** Where build inputs that are not images are kept (debootstrap trees, csb1's Docker seed). */
export const CACHE = process.env.RUNBOOK_IMAGE_CACHE ?? '/var/cache/runbook'
const MIRROR = process.env.DEBIAN_MIRROR ?? 'http://deb.debian.org/debian'
const SUITE = 'bookworm'
export const ROLES = ['nixos', 'macos', 'gateway', 'csb1'] as const
export type Role = (typeof ROLES)[number]

const log = (m: string): void => void process.stderr.write(`[images] ${m}\n`)

/**
 * The content hash of `paths`, each file named relative to `base`: `base` must be
 * the folder the inputs live in (docker/ for the rootfs, the build context for the
 * roles), so the same content gives the same tag in any clone at any path.
 */
export function hashFiles(paths: string[], base: string, extra = ''): string {
  const h = createHash('sha256').update(extra)
  for (const p of paths) hashTree(h, p, base)
  return h.digest('hex').slice(0, 12)
}

/** Whether this machine's Docker has the image (a build's tag, a snapshot's machine). */
export function imageExists(tag: string): boolean {
  return spawnSync('docker', ['image', 'inspect', tag], { stdio: 'ignore' }).status === 0
}

/** Runs a build tool; its chatter goes to stderr so stdout stays the JSON of tags. */
function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', process.stderr, 'inherit'] })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`)
}

/** debootstrap + the host's Node.js binary (same Debian release, so its libraries match). */
function rootfsImage(name: 'base' | 'inner-base'): string {
  const packages = readFileSync(join(DOCKER_DIR, name, 'packages.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
  const node = process.execPath
  const tag = `runbook-${name}:${hashFiles([join(DOCKER_DIR, name)], DOCKER_DIR, `${SUITE} ${process.version}`)}`
  if (imageExists(tag)) return tag
  const rootfs = join(CACHE, `${name}-${tag.split(':')[1]}`)
  if (!existsSync(join(rootfs, '.complete'))) {
    rmSync(rootfs, { recursive: true, force: true })
    mkdirSync(CACHE, { recursive: true })
    log(`debootstrap ${SUITE} into ${rootfs} (about 3 minutes)`)
    sh('debootstrap', [
      '--variant=minbase',
      `--include=${packages.join(',')}`,
      SUITE,
      rootfs,
      MIRROR,
    ])
    // Trim what a simulated host never reads.
    for (const d of [
      'usr/share/doc',
      'usr/share/man',
      'usr/share/info',
      'var/cache/apt/archives',
      'var/lib/apt/lists',
    ])
      rmSync(join(rootfs, d), { recursive: true, force: true })
    cpSync(node, join(rootfs, 'usr/local/bin/node'))
    if (name === 'inner-base') symlinkSync('/bin/busybox', join(rootfs, 'usr/local/bin/wget'))
    writeFileSync(join(rootfs, '.complete'), new Date().toISOString())
  }
  log(`docker import ${tag}`)
  const tar = spawnSync('tar', ['-C', rootfs, '--exclude=./.complete', '-c', '.'], {
    maxBuffer: 4 * 1024 ** 3,
  })
  if (tar.status !== 0) throw new Error('tar of the rootfs failed')
  const imp = spawnSync('docker', ['import', '-', tag], {
    input: tar.stdout,
    stdio: ['pipe', 'ignore', 'inherit'],
  })
  if (imp.status !== 0) throw new Error(`docker import ${tag} failed`)
  return tag
}

/** The simulators are TypeScript, bundled to one file each for the image's node. */
async function bundleSims(outDir: string): Promise<void> {
  const entries = {
    'nixos-rebuild': 'sim/nixos/nixos-rebuild.ts',
    firewall: 'sim/nixos/firewall.ts',
    'home-manager': 'sim/macos/home-manager.ts',
    launchctl: 'sim/macos/launchctl.ts',
    launchd: 'sim/macos/launchd.ts',
    provision: 'sim/provision/provision.ts',
    'agent-v2': 'sim/nixfleet/agent-v2/agent.ts',
    'agent-packages': 'sim/nixfleet/agent-packages.ts',
  }
  await bundleForNode(
    Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, join(DOCKER_DIR, v)])),
    outDir,
  )

  cpSync(join(DOCKER_DIR, 'sim', 'nix'), join(outDir, 'nix'), { recursive: true })
  cpSync(join(DOCKER_DIR, 'nixfleet-revs.json'), join(outDir, 'nixfleet-revs.json'))
  cpSync(join(DOCKER_DIR, 'images', 'common', 'image-setup.sh'), join(outDir, 'image-setup.sh'))
}

export async function buildImages(): Promise<Record<Role | 'base' | 'innerBase', string>> {
  const base = rootfsImage('base')
  const innerBase = rootfsImage('inner-base')
  const ctx = join(CACHE, 'context')
  rmSync(ctx, { recursive: true, force: true })
  mkdirSync(ctx, { recursive: true })
  await bundleSims(join(ctx, 'sim'))
  cpSync(join(DOCKER_DIR, 'images'), ctx, { recursive: true })
  const tags = { base, innerBase } as Record<Role | 'base' | 'innerBase', string>
  for (const role of ROLES) {
    const inputs = [
      join(ctx, 'sim'),
      join(ctx, 'common'),
      join(ctx, role),
      ...(role === 'csb1' ? [join(ctx, 'nixos')] : []),
    ]
    const tag = `runbook-${role}:${hashFiles(inputs, ctx, `${base} ${role === 'csb1' ? innerBase : ''}`)}`
    tags[role] = tag
    if (imageExists(tag)) continue
    if (role === 'csb1') {
      // csb1's engine cannot pull: its base image travels inside csb1's image as a tarball.
      sh('docker', ['tag', innerBase, 'nixfleet-base:bookworm'])
      sh('docker', ['save', '-o', join(ctx, 'csb1', 'nixfleet-base.tar'), 'nixfleet-base:bookworm'])
    }
    log(`docker build ${tag}`)
    sh('docker', [
      'build',
      '--quiet',
      '--build-arg',
      `BASE=${base}`,
      '-f',
      join(ctx, role, 'Dockerfile'),
      '-t',
      tag,
      ctx,
    ])
  }
  return tags
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now()
  const tags = await buildImages()
  log(`done in ${Math.round((Date.now() - started) / 1000)} s`)
  process.stdout.write(JSON.stringify(tags, null, 2) + '\n')
}
