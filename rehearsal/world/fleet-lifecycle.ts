import { sealedNetworkOptions, sealNetwork, unsealNetwork } from './sealed-network.ts'
import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'
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
import { DEFAULT_INVENTORY } from '../../helpers/inventory/load-inventory.ts'
import { snapshotInputs, type SnapshotInputs } from './snapshot-inputs.ts'
import { findSnapshot, saveSnapshot, touchSnapshot, type Snapshot } from './snapshots.ts'

export const LABEL = 'runbook.rehearsal'
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export { rehearsalSshSettings }

export function gitRemoteUrl(world: World): string {
  return `git://127.0.0.1:${world.published.git}/markus-barta/nixcfg.git`
}

const docker = (...args: string[]): string =>
  execFileSync('docker', args, { encoding: 'utf8' }).trim()

/** Removes every container and the network of a rehearsal (labels, not remembered ids, so nothing leaks). */
export function fleetDown(world = loadWorld()): void {
  const ids = docker('ps', '-aq', '--filter', `label=${LABEL}`).split('\n').filter(Boolean)
  if (ids.length) {
    // Stopped at once (no grace; stop, unlike kill, keeps the restart policy from
    // starting them again), then removed: Docker 20.10's `rm -f` of a running container
    // can leave its network endpoint behind, and the fixed network then cannot be removed.
    spawnSync('timeout', ['60', 'docker', 'stop', '-t', '0', ...ids], { stdio: 'ignore' })
    spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' })
  }
  removeNetwork(world.network)
  unsealNetwork()
  rmSync(INNER_DOCKER_ROOT, { recursive: true, force: true })
}

/**
 * Removes the rehearsal's network, giving Docker a few seconds to release the
 * endpoints of containers just removed. One it never releases (an endpoint
 * whose container is gone) blocks every later fleet: said at once, with the remedy.
 */
function removeNetwork(network: string): void {
  const exists = (): boolean =>
    spawnSync('docker', ['network', 'inspect', network], { stdio: 'ignore' }).status === 0
  let last = ''
  for (let i = 0; i < 10 && exists(); i++) {
    const r = spawnSync('docker', ['network', 'rm', network], { encoding: 'utf8' })
    if (r.status === 0) return
    last = (r.stderr ?? '').trim()
    spawnSync('sleep', ['1'])
  }
  if (exists())
    throw new Error(
      `the rehearsal network ${network} cannot be removed (${last}): Docker keeps an endpoint of a container that is gone; restart the Docker engine (it drops such endpoints when it starts), then start the fleet again`,
    )
}

/** Where csb1's own Docker engine keeps its images and containers (see SystemdContainer). */
const INNER_DOCKER_ROOT = '/var/lib/runbook-rehearsal'
const innerDockerPath = (machine: string): string => `${INNER_DOCKER_ROOT}/${machine}-docker`
function innerDockerDir(machine: string, from: string): string {
  const dir = innerDockerPath(machine)
  mkdirSync(INNER_DOCKER_ROOT, { recursive: true })
  copySeed(from, dir)
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

/**
 * A simulated machine is ready when its provisioning (users, checkout, first
 * deployment) has finished; resumed from a snapshot, csb1 is ready when its
 * engine runs again (and health checks passed) what it ran when saved.
 */
async function waitReady(m: Machine, innerRunning?: string[]): Promise<void> {
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
    if (innerRunning?.length) await waitInnerContainers(m, h, innerRunning)
    if (m.image === 'csb1') await refuseOverlappingNetworks(h)
  } finally {
    await h.close()
  }
}

async function waitInnerContainers(m: Machine, h: Host, names: string[]): Promise<void> {
  await poll(
    `${m.name}: its containers running again (${names.join(', ')})`,
    async () => {
      const status = new Map(
        (await h.succeed(`docker ps --format '{{.Names}}\t{{.Status}}'`, { timeout: '20s' }))
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t') as [string, string]),
      )
      const up = (st: string | undefined): boolean =>
        !!st && /^Up\b/.test(st) && !/health: starting|unhealthy/.test(st)
      const notYet = names.filter((n) => !up(status.get(n)))
      if (notYet.length)
        throw new Error(
          `not yet: ${notYet.map((n) => `${n} (${status.get(n) ?? 'not running'})`).join(', ')}`,
        )
    },
    { timeout: '180s', interval: '1s' },
  )
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
  /** false: a cold fleet from the images, nothing saved (default: REHEARSAL_SNAPSHOTS, on unless "0"). */
  snapshots?: boolean
}

type Images = Awaited<ReturnType<typeof buildImages>>
type Progress = (what: string) => void

/**
 * Starts a fresh simulated fleet: images, keys, the nixcfg remote, the
 * gateway, eight machines, brought to the requested state. A state is
 * started from its snapshot when one was made from the same inputs;
 * otherwise the fleet starts from the `initial` snapshot (or cold, saving
 * that one), the runbook brings it to the state and the result is saved
 * (REHEARSAL_SNAPSHOTS=0: always cold and the runbook, nothing saved).
 */
export async function fleetUp(opts: UpOptions = {}): Promise<RehearsalState> {
  const started = Date.now()
  // Where fleet-up time goes, as progress lines (bench:fleet measures the whole).
  const step: Progress = (what) =>
    progress(`fleet up: ${what} at ${formatMs(Date.now() - started)}`)
  const world = loadWorld()
  const images = await buildImages()
  step('images checked')
  const as = opts.as ?? 'initial'
  const useSnapshots = opts.snapshots ?? process.env.REHEARSAL_SNAPSHOTS !== '0'
  const inputsOf = (state: StartState): SnapshotInputs | undefined =>
    useSnapshots
      ? snapshotInputs(images, process.env.FLEET_INVENTORY ?? DEFAULT_INVENTORY, undefined, state)
      : undefined
  const inputs = inputsOf(as)
  let snapshot = inputs ? lookUpSnapshot(as, inputs) : undefined
  let containers: Record<string, string>
  if (snapshot) containers = await startFromSnapshot(world, snapshot, step)
  else {
    ;({ containers, snapshot } = await startInitial(world, images, inputsOf('initial'), step))
    if (as !== 'initial') {
      await bringTo(as)
      step(`brought to ${as} by the runbook`)
      // Without inputs (snapshots off) the initial fleet was cold and nothing is saved.
      if (inputs)
        ({ containers, snapshot } = await saveAndRestart(world, as, inputs, containers, step))
    }
  }
  const faults = opts.faults ?? []
  await applyFaults(world, faults)
  step('start state and faults done')
  const state: RehearsalState = {
    startedAt: new Date().toISOString(),
    network: world.network,
    images,
    containers,
    faults: faults.map((f) => `${f.name}:${f.host}`),
    startedAs: as,
    ...(snapshot ? { snapshot: basename(snapshot.dir) } : {}),
  }
  writeState(state)
  say(
    `rehearsal fleet up in ${formatMs(Date.now() - started)} (${Object.keys(containers).length} containers${snapshot ? `, from snapshot ${basename(snapshot.dir)}` : ''})`,
  )
  return state
}

/** The usable snapshot of `state`, saying why any other one is not used. */
function lookUpSnapshot(state: StartState, inputs: SnapshotInputs): Snapshot | undefined {
  const r = findSnapshot(state, inputs)
  for (const why of r.found ? [] : r.refused) say(`rehearsal: snapshot refused: ${why}`)
  if (!r.found)
    say(
      `rehearsal: no snapshot of "${state}" for these inputs: ${state === 'initial' ? 'a cold fleet starts from the images' : 'the runbook brings the fleet there'}`,
    )
  return r.found
}

/**
 * The fleet as before phase 1: from the `initial` snapshot when one was made
 * from these inputs; otherwise cold (every machine's first boot), then saved
 * and started again from what was saved, as every later start will be.
 * Without inputs (snapshots off): cold, nothing saved.
 */
async function startInitial(
  world: World,
  images: Images,
  inputs: SnapshotInputs | undefined,
  step: Progress,
): Promise<{ containers: Record<string, string>; snapshot?: Snapshot }> {
  const found = inputs ? lookUpSnapshot('initial', inputs) : undefined
  if (found) return { containers: await startFromSnapshot(world, found, step), snapshot: found }
  const cold = await startCold(world, images, step)
  return inputs ? saveAndRestart(world, 'initial', inputs, cold, step) : { containers: cold }
}

/**
 * Saves the running fleet as `state`'s snapshot and starts it again from
 * there: the run goes on from what it saved, as every later one will.
 */
async function saveAndRestart(
  world: World,
  state: StartState,
  inputs: SnapshotInputs,
  containers: Record<string, string>,
  step: Progress,
): Promise<{ containers: Record<string, string>; snapshot: Snapshot }> {
  const snapshot = await saveFleet(world, state, inputs, containers)
  step(`snapshot ${basename(snapshot.dir)} saved`)
  return { containers: await startFromSnapshot(world, snapshot, step), snapshot }
}

/** A fleet from nothing: new material, every machine's first boot, the operator's clone. */
async function startCold(
  world: World,
  images: Images,
  step: Progress,
): Promise<Record<string, string>> {
  fleetDown(world)
  const material = await prepareMaterial(world, images)
  step('keys, remotes, TLS and csb1 files ready')
  createNetwork(world)
  // Started together with the machines: a machine's first boot retries its clone
  // from the git server until the gateway answers.
  const containers = await bootAll(
    world,
    step,
    startGateway(world, images.gateway, material),
    (m) =>
      startMachine(world, images[m.image ?? m.role], m, step, {
        material,
        innerDocker: material.csb1Seed,
      }),
  )
  cloneOperatorWorktree(gitRemoteUrl(world))
  return containers
}

/**
 * Every machine booted from its saved disk, with the rehearsal's material as
 * it was saved (so keys, CA, secrets and known_hosts match the machines).
 */
async function startFromSnapshot(
  world: World,
  snap: Snapshot,
  step: Progress,
): Promise<Record<string, string>> {
  fleetDown(world)
  rmSync(paths.dir, { recursive: true, force: true })
  execFileSync('cp', ['-a', snap.material, paths.dir])
  // Files naming this checkout's paths are written for this checkout.
  describeRehearsalTarget()
  writeSshConfig(world)
  exportRehearsalSecrets(ensureRehearsalSecrets())
  step(`material of snapshot ${basename(snap.dir)} restored`)
  createNetwork(world)
  const image = (name: string): string => {
    const tag = snap.manifest.images[name]
    if (!tag) throw new Error(`snapshot ${snap.dir}: no image for ${name} in its manifest`)
    return tag
  }
  const containers = await bootAll(
    world,
    step,
    startGateway(world, image('gateway'), undefined),
    (m) =>
      startMachine(world, image(m.name), m, step, {
        innerDocker: m.image === 'csb1' ? snap.innerDocker(m.name) : undefined,
        innerRunning: snap.manifest.innerRunning[m.name],
      }),
  )
  touchSnapshot(snap)
  return containers
}

/**
 * The gateway and every machine, started together (csb1 first: its boot is the
 * longest); each machine is waited for as soon as it runs. Name → container id.
 */
async function bootAll(
  world: World,
  step: Progress,
  gateway: Promise<{ getId(): string }>,
  machine: (m: Machine) => Promise<readonly [Machine, string]>,
): Promise<Record<string, string>> {
  const [g, started] = await Promise.all([
    gateway.then((c) => {
      step('gateway started')
      return c
    }),
    Promise.all(startOrder(world).map(machine)),
  ])
  const containers: Record<string, string> = { gateway: g.getId() }
  for (const [m, id] of started) containers[m.name] = id
  return containers
}

/** Stops every machine cleanly (its shutdown, csb1's engine stopping its containers) and saves them. */
async function saveFleet(
  world: World,
  state: StartState,
  inputs: SnapshotInputs,
  containers: Record<string, string>,
): Promise<Snapshot> {
  const csb1 = machines(world).filter((m) => m.image === 'csb1')
  // What csb1's engine runs now is what a fleet from the snapshot waits for.
  const innerRunning = Object.fromEntries(
    csb1.map((m) => [
      m.name,
      docker('exec', containers[m.name]!, 'docker', 'ps', '--format', '{{.Names}}')
        .split('\n')
        .filter(Boolean),
    ]),
  )
  await new Promise<void>((resolve, reject) =>
    execFile('docker', ['stop', '-t', '60', ...Object.values(containers)], (err) =>
      err ? reject(new Error(`stopping the fleet to save it: ${err.message}`)) : resolve(),
    ),
  )
  return saveSnapshot({
    state,
    inputs,
    containers,
    material: paths.dir,
    innerDocker: Object.fromEntries(csb1.map((m) => [m.name, innerDockerPath(m.name)])),
    innerRunning,
    runbookCommit:
      spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() ||
      'unknown',
  })
}

function createNetwork(world: World): void {
  docker('network', 'create', '--label', `${LABEL}=1`, ...sealedNetworkOptions(), world.network)
  sealNetwork()
}

/** csb1 first: its boot (Docker engine, two stacks) is the longest. */
function startOrder(world: World): Machine[] {
  return [...machines(world)].sort(
    (a, b) => Number(b.image === 'csb1') - Number(a.image === 'csb1'),
  )
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

/**
 * The gateway: the jump host and the git server holding the nixcfg and
 * nixfleet remotes (given them at first boot; a snapshot's image has them).
 */
function startGateway(world: World, image: string, m: Material | undefined) {
  let c = new SystemdContainer(image, { cpuShares: 4096 })
    .withName('rehearsal-gateway')
    .withHostname(world.gateway.hostname)
    .withNetworkMode(world.network)
    .withNetworkAliases(...world.gateway.aliases)
    .withLoopbackPorts(
      { container: 22, host: world.published.gateway_ssh },
      { container: 9418, host: world.published.git },
    )
    .withStartupTimeout(120_000)
  if (m)
    c = c
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
  return c.start()
}

/**
 * One machine, started and waited for as soon as it runs: its SSH goes
 * through the gateway, and the wait retries while the gateway is still booting.
 * From: the material of a first boot, or nothing (a snapshot's disk has it);
 * innerDocker: where csb1's engine data is copied from (the seed, or the snapshot's).
 */
async function startMachine(
  world: World,
  image: string,
  m: Machine,
  step: Progress,
  from: { material?: Material; innerDocker?: string; innerRunning?: string[] },
): Promise<readonly [Machine, string]> {
  const isCsb1 = m.image === 'csb1'
  const material = from.material
  let c = new SystemdContainer(image, {
    tmpTmpfs: m.role === 'macos',
    firewall: m.role === 'nixos',
    ...(isCsb1 && from.innerDocker
      ? { dockerEngine: innerDockerDir(m.name, from.innerDocker), cpuShares: 4096 }
      : {}),
  })
    .withName(`rehearsal-${m.name}`)
    .withHostname(m.name)
    .withNetworkMode(world.network)
    .withNetworkAliases(...m.aliases)
    .withStartupTimeout(120_000)
  if (material) {
    const provisioning = machineProvisioning(
      m,
      material.keys[m.name]!,
      material.clientPub,
      material.secrets,
      material.tls.caCert,
      isCsb1 ? material.csb1Extras : undefined,
    )
    c = c.withCopyContentToContainer([
      { content: JSON.stringify(provisioning), target: '/etc/runbook-sim/host.json' },
    ])
    if (isCsb1)
      c = c.withCopyDirectoriesToContainer([
        { source: material.csb1Docker, target: `${m.user.home}/docker` },
      ])
  } else {
    // From a snapshot: the machine resumes as it was saved (see the firewall boot step).
    c = c.withCopyContentToContainer([{ content: 'resume\n', target: '/etc/runbook-sim/resume' }])
  }
  // 443 inside is csb1's own Docker publishing its front, up only after its boot.
  if (isCsb1) c = c.withLoopbackPorts({ container: 443, host: world.published.https })
  const started = await c.start()
  // A Mac booted from a snapshot waits at its FileVault screen; its owner was logged in
  // when the state was saved, and logs in again (as the simulated person does).
  if (!material && m.role === 'macos') logInAtUnlockScreen(started.getId())
  step(`${m.name} started`)
  await waitReady(m, from.innerRunning)
  step(`${m.name} ready`)
  return [m, started.getId()] as const
}

function logInAtUnlockScreen(container: string): void {
  docker(
    'exec',
    container,
    'sh',
    '-c',
    'mkdir -p /run/runbook-sim && touch /run/runbook-sim/logged-in',
  )
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
