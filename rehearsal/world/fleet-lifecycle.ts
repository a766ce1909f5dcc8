import { sealedNetworkOptions, sealNetwork, unsealNetwork } from './sealed-network.ts'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { buildImages } from '../../docker/build-images.ts'
import { Host } from '../../helpers/hosts/host.ts'
import { progress, say } from '../../helpers/output/say.ts'
import { SshTransport } from '../../helpers/ssh/ssh-transport.ts'
import { formatMs } from '../../helpers/time/duration.ts'
import { poll, TerminalStateError } from '../../helpers/wait/poll.ts'
import { applyFaults, parseFaults, type FaultSpec } from './faults.ts'
import { cloneOperatorWorktree, createNixcfgRemote } from './nixcfg-fixture.ts'
import {
  createCsb1DockerDir,
  createNixfleetRemote,
  createV1Database,
  envFiles,
} from './csb1-fixture.ts'
import { copySeed, ensureCsb1DockerSeed } from './csb1-docker-seed.ts'
import { overlapping, type NamedSubnet } from './subnet-overlap.ts'
import { gatewayRepo } from './remote-head.ts'
import { ensureTls } from './tls.ts'
import { gatewayProvisioning, machineProvisioning } from './provisioning.ts'
import { ensureRehearsalSecrets, exportRehearsalSecrets } from './secrets.ts'
import { ensureKeys, writeKnownHosts, writeSshConfig } from './ssh-material.ts'
import { paths, readState, writeState, type RehearsalState } from './state.ts'
import { describeRehearsalTarget } from './target-description.ts'
import { SystemdContainer } from './systemd-container.ts'
import { loadWorld, machines, type Machine, type World } from './world.ts'
import { rehearsalSshSettings } from './ssh-settings.ts'
import { bringTo, type StartState } from '../../helpers/runner/start-as.ts'

export const LABEL = 'runbook.rehearsal'

export { rehearsalSshSettings }

export function gitRemoteUrl(world: World): string {
  return `git://127.0.0.1:${world.published.git}/markus-barta/nixcfg.git`
}

const docker = (...args: string[]): string =>
  execFileSync('docker', args, { encoding: 'utf8' }).trim()

/** Removes every container and the network of a rehearsal (labels, not remembered ids, so nothing leaks). */
export function fleetDown(world = loadWorld()): void {
  const ids = docker('ps', '-aq', '--filter', `label=${LABEL}`).split('\n').filter(Boolean)
  if (ids.length) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' })
  spawnSync('docker', ['network', 'rm', world.network], { stdio: 'ignore' })
  unsealNetwork()
  rmSync(INNER_DOCKER_ROOT, { recursive: true, force: true })
}

/** Where csb1's own Docker engine keeps its images and containers (see SystemdContainer). */
const INNER_DOCKER_ROOT = '/var/lib/runbook-rehearsal'
function innerDockerDir(machine: string, seed: string): string {
  const dir = `${INNER_DOCKER_ROOT}/${machine}-docker`
  mkdirSync(INNER_DOCKER_ROOT, { recursive: true })
  copySeed(seed, dir)
  return dir
}

/** A simulated machine reached as the world describes it (never through the operator's inventory). */
export function worldHost(m: Machine): Host {
  return new Host(
    m.name,
    new SshTransport({
      hostName: m.name,
      target: `${m.user.name}@${m.aliases[0]!}`,
      port: m.ssh_port,
      configFile: paths.sshConfig,
      knownHostsFiles: [paths.knownHosts],
      unknownHostKey: 'refuse',
      agentSocket: undefined,
      connectTimeoutMs: 10_000,
    }),
  )
}

/** A simulated machine is ready when its provisioning (users, checkout, first deployment) has finished. */
async function waitReady(m: Machine): Promise<void> {
  const h = worldHost(m)
  try {
    await poll(
      `${m.name}: provisioned and deployed`,
      async () => {
        const state = (
          await h.run('systemctl is-active runbook-provision.service', { timeout: '15s' })
        ).stdout.trim()
        if (state === 'active') return
        if (state === 'failed') throw new TerminalStateError(`${m.name}: provisioning failed`)
        throw new Error(`${m.name}: provisioning is ${state}`)
      },
      { timeout: m.image === 'csb1' ? '420s' : '180s', interval: '1s' },
    )
    if (m.image === 'csb1') await refuseOverlappingNetworks(h)
  } finally {
    await h.close()
  }
}

/** IPv4 subnets of `docker network inspect` lines "<name> <subnet> <subnet>…". */
function namedSubnets(lines: string): NamedSubnet[] {
  return lines
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .flatMap(([name, ...subnets]) =>
      subnets.filter((s) => s.includes('.')).map((subnet) => ({ name: name!, subnet })),
    )
}

const INSPECT_SUBNETS = '{{.Name}} {{range .IPAM.Config}}{{.Subnet}} {{end}}'

/**
 * csb1's engine must keep its networks apart from the rehearsal network, or
 * its published front resets every connection from this machine (the engine
 * takes the route back); said at fleet up instead of as a reset at every
 * HTTPS check.
 */
async function refuseOverlappingNetworks(csb1: Host): Promise<void> {
  const world = loadWorld()
  const [outer] = namedSubnets(docker('network', 'inspect', '-f', INSPECT_SUBNETS, world.network))
  if (!outer) throw new Error(`the rehearsal network ${world.network} has no IPv4 subnet`)
  const inner = namedSubnets(
    await csb1.succeed(
      `docker network ls -q | xargs docker network inspect -f '${INSPECT_SUBNETS}'`,
      { timeout: '30s' },
    ),
  )
  const clashes = overlapping(outer, inner)
  if (clashes.length) throw new Error(`${clashes.join('; ')}: see csb1's /etc/docker/daemon.json`)
}

export interface UpOptions {
  faults?: FaultSpec[]
  /** The plan state to bring the fresh fleet to before faults are applied. */
  as?: StartState
}

type Images = Awaited<ReturnType<typeof buildImages>>
type Progress = (what: string) => void

/** Starts a fresh simulated fleet: images, keys, the nixcfg remote, the gateway, eight machines. */
export async function fleetUp(opts: UpOptions = {}): Promise<RehearsalState> {
  const started = Date.now()
  // Where fleet-up time goes, as progress lines (bench:fleet measures the whole).
  const step: Progress = (what) =>
    progress(`fleet up: ${what} at ${formatMs(Date.now() - started)}`)
  const world = loadWorld()
  const images = await buildImages()
  step('images checked')
  fleetDown(world)
  const material = await prepareMaterial(world, images)
  step('keys, remotes, TLS and csb1 files ready')
  docker('network', 'create', '--label', `${LABEL}=1`, ...sealedNetworkOptions(), world.network)
  sealNetwork()
  // Started together with the machines: a machine's first boot retries its clone
  // from the git server until the gateway answers.
  const gatewayStarting = startGateway(world, images, material).then((g) => {
    step('gateway started')
    return g
  })
  // csb1 first: its first boot (Docker engine, two stacks) is the longest.
  const startOrder = [...machines(world)].sort(
    (a, b) => Number(b.image === 'csb1') - Number(a.image === 'csb1'),
  )
  const machinesStarting = Promise.all(
    startOrder.map((m) => startMachine(world, images, material, m, step)),
  )
  const [gateway, started2] = await Promise.all([gatewayStarting, machinesStarting])
  const containers: Record<string, string> = { gateway: gateway.getId() }
  for (const [m, id] of started2) containers[m.name] = id
  cloneOperatorWorktree(gitRemoteUrl(world))
  await bringTo(opts.as ?? 'initial')
  const faults = opts.faults ?? []
  await applyFaults(world, faults)
  step('operator clone, start state and faults done')
  const state: RehearsalState = {
    startedAt: new Date().toISOString(),
    network: world.network,
    images,
    containers,
    faults: faults.map((f) => `${f.name}:${f.host}`),
    startedAs: opts.as ?? 'initial',
  }
  writeState(state)
  say(
    `rehearsal fleet up in ${formatMs(Date.now() - started)} (${Object.keys(containers).length} containers)`,
  )
  return state
}

/** Everything a fresh fleet is made from, made anew: keys, secrets, remotes, CA, csb1's files. */
async function prepareMaterial(world: World, images: Images) {
  // A new rehearsal gets new keys, a new CA and new secrets.
  rmSync(paths.dir, { recursive: true, force: true })
  mkdirSync(paths.dir, { recursive: true })
  // How the runbook reaches this fleet (the product reads it through REHEARSAL_TARGET_FILE).
  describeRehearsalTarget()
  const keys = ensureKeys(world)
  writeKnownHosts(world, keys)
  writeSshConfig(world)
  const secrets = ensureRehearsalSecrets()
  exportRehearsalSecrets(secrets)
  const clientPub = readFileSync(`${paths.clientKey}.pub`, 'utf8').trim()
  const bare = createNixcfgRemote()
  const csb1 = machines(world).find((m) => m.image === 'csb1')
  const tls = ensureTls(csb1?.aliases ?? [])
  const nixfleet = await createNixfleetRemote()
  const csb1Docker = await createCsb1DockerDir(tls)
  const csb1Seed = ensureCsb1DockerSeed({
    csb1Image: images.csb1,
    mainStack: csb1Docker,
    nixfleetBare: nixfleet.bare,
    v1Commit: nixfleet.v1Commit,
  })
  const env = envFiles(secrets)
  const csb1Extras = {
    v1Env: env.v1,
    v1Database: readFileSync(createV1Database()),
    v1Commit: nixfleet.v1Commit,
  }
  return { keys, secrets, clientPub, bare, tls, nixfleet, csb1Docker, csb1Seed, csb1Extras }
}
type Material = Awaited<ReturnType<typeof prepareMaterial>>

/** The gateway: the jump host and the git server holding the nixcfg and nixfleet remotes. */
function startGateway(world: World, images: Images, m: Material) {
  return new SystemdContainer(images.gateway, { cpuShares: 4096 })
    .withName('rehearsal-gateway')
    .withHostname(world.gateway.hostname)
    .withNetworkMode(world.network)
    .withNetworkAliases(...world.gateway.aliases)
    .withLoopbackPorts(
      { container: 22, host: world.published.gateway_ssh },
      { container: 9418, host: world.published.git },
    )
    .withCopyContentToContainer([
      {
        content: JSON.stringify(gatewayProvisioning(world, m.keys.gateway!, m.clientPub)),
        target: '/etc/runbook-sim/host.json',
      },
    ])
    .withCopyDirectoriesToContainer([
      { source: m.bare, target: gatewayRepo('nixcfg') },
      { source: m.nixfleet.bare, target: gatewayRepo('nixfleet') },
    ])
    .withStartupTimeout(120_000)
    .start()
}

/**
 * One machine, started and waited for as soon as it runs: its SSH goes
 * through the gateway, and the wait retries while the gateway is still booting.
 */
async function startMachine(
  world: World,
  images: Images,
  material: Material,
  m: ReturnType<typeof machines>[number],
  step: Progress,
): Promise<readonly [ReturnType<typeof machines>[number], string]> {
  const isCsb1 = m.image === 'csb1'
  const provisioning = machineProvisioning(
    m,
    material.keys[m.name]!,
    material.clientPub,
    material.secrets,
    material.tls.caCert,
    isCsb1 ? material.csb1Extras : undefined,
  )
  let c = new SystemdContainer(images[m.image ?? m.role], {
    tmpTmpfs: m.role === 'macos',
    firewall: m.role === 'nixos',
    ...(isCsb1 ? { dockerEngine: innerDockerDir(m.name, material.csb1Seed), cpuShares: 4096 } : {}),
  })
    .withName(`rehearsal-${m.name}`)
    .withHostname(m.name)
    .withNetworkMode(world.network)
    .withNetworkAliases(...m.aliases)
    .withCopyContentToContainer([
      { content: JSON.stringify(provisioning), target: '/etc/runbook-sim/host.json' },
    ])
    .withStartupTimeout(120_000)
  if (isCsb1) {
    // 443 inside is csb1's own Docker publishing its front, up only after first boot.
    c = c
      .withCopyDirectoriesToContainer([
        { source: material.csb1Docker, target: `${m.user.home}/docker` },
      ])
      .withLoopbackPorts({ container: 443, host: world.published.https })
  }
  const started = await c.start()
  step(`${m.name} started`)
  await waitReady(m)
  step(`${m.name} ready`)
  return [m, started.getId()] as const
}

/** The running fleet, if every container of the last `fleetUp` is still there and running. */
export function runningFleet(): RehearsalState | undefined {
  const state = readState()
  if (!state) return undefined
  for (const id of Object.values(state.containers)) {
    const r = spawnSync('docker', ['inspect', '-f', '{{.State.Status}}', id], { encoding: 'utf8' })
    if (r.status !== 0 || !['running', 'restarting'].includes(r.stdout.trim())) return undefined
  }
  ensureRehearsalSecrets()
  return state
}

export { parseFaults }
