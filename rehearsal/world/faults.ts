import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { envFiles } from './csb1-fixture.ts'
import { ensureRehearsalSecrets } from './secrets.ts'
import { paths } from './state.ts'
import { say } from '../../helpers/output/say.ts'
import { gatewayRepo } from './remote-head.ts'
import { machines, type World } from './world.ts'

/**
 * The rehearsal's fault catalog. A fault makes one condition false on one
 * simulated host so that the check watching that condition can be seen to
 * fail. Selected per run with REHEARSAL_FAULTS=name:host[,name:host…].
 *
 * One table: each fault's description, the hosts it can act on, how it is
 * applied and how it is undone on a running fleet (or why only a fresh fleet
 * undoes it). The entry type makes every part required, so a fault cannot
 * be added with its revert forgotten.
 */
interface FaultEntry {
  description: string
  /** `dashboard`: csb1 only; `agent`: a NixOS or macOS agent host; `any`: any simulated machine. */
  actsOn: 'dashboard' | 'agent' | 'any'
  apply: (world: World, host: string) => void
  revert: ((world: World, host: string) => void) | { freshFleetOnly: string }
}

/** A commit on a simulated remote (what the next `git pull` brings), made on the gateway; returns its hash. */
function commitOnRemote(repo: 'nixfleet' | 'nixcfg', edit: string, message: string): string {
  return execFileSync(
    'docker',
    [
      'exec',
      'rehearsal-gateway',
      'sh',
      '-euc',
      `t=$(mktemp -d); git clone -q ${gatewayRepo(repo)} "$t/n"; cd "$t/n"; ${edit}; ` +
        `git -c user.name='Markus Barta' -c user.email=markus@barta.cm commit -qam ${shq(message)}; ` +
        `git push -q origin HEAD:main; git rev-parse HEAD; rm -rf "$t"`,
    ],
    { encoding: 'utf8' },
  ).trim()
}

/**
 * A change to the dashboard the runbook builds: the runbook checks out the
 * pinned revision's stand-in, not main's head, so the commit made on the
 * remote becomes the stand-in of the newest modelled revision (the one whose
 * stand-in main's head was; the default pin).
 */
function changePinnedDashboard(edit: string, message: string): void {
  const map = JSON.parse(readFileSync(paths.nixfleetStandIns, 'utf8')) as Record<string, string>
  const head = execFileSync(
    'git',
    ['--git-dir', join(paths.dir, 'nixfleet.git'), 'rev-parse', 'main'],
    {
      encoding: 'utf8',
    },
  ).trim()
  const rev = Object.keys(map).find((r) => map[r] === head)
  if (!rev)
    throw new Error(`no modelled nixfleet revision stands in at the remote's main (${head})`)
  map[rev] = commitOnRemote('nixfleet', edit, message)
  writeFileSync(paths.nixfleetStandIns, JSON.stringify(map, null, 2) + '\n')
}

/** Writes csb1's ~/secrets/nixfleet.env as an operator would have prepared it, changed by `edit` (a sed script). */
function preparedEnvFile(world: World, host: string, edit: string): void {
  const file = envFile(world, host)
  execFileSync(
    'docker',
    [
      'exec',
      '-i',
      container(host),
      'sh',
      '-euc',
      `mkdir -p "$(dirname ${file})"; sed ${shq(edit)} > ${file}; chown -R mba:users "$(dirname ${file})"; chmod 600 ${file}`,
    ],
    { input: envFiles(ensureRehearsalSecrets()).v2 },
  )
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

function envFile(world: World, host: string): string {
  const m = machines(world).find((x) => x.name === host)
  return `${m?.user.home ?? '/home/mba'}/secrets/nixfleet.env`
}

const container = (host: string): string => `rehearsal-${host}`
const exec = (host: string, script: string): void =>
  void execFileSync('docker', ['exec', container(host), 'sh', '-c', script])

const marker = (host: string, name: string): void =>
  exec(host, `touch /etc/runbook-sim/faults/${name}`)
const unmark = (host: string, name: string): void =>
  exec(host, `rm -f /etc/runbook-sim/faults/${name}`)

const ONCE_MADE = 'it changes files and history the rehearsal made once (env file, token, remote)'

const CATALOG = {
  'host-unreachable': {
    description: 'the host is cut off the network: SSH to it fails to connect',
    actsOn: 'any',
    apply: (world, host) =>
      void spawnSync(
        'docker',
        ['network', 'disconnect', '--force', world.network, container(host)],
        {
          stdio: 'ignore',
        },
      ),
    revert: (world, host) =>
      void execFileSync('docker', [
        'network',
        'connect',
        ...(world.machines[host]?.aliases ?? []).flatMap((a) => ['--alias', a]),
        world.network,
        container(host),
      ]),
  },
  'rebuild-fails': {
    description: 'nixos-rebuild / home-manager switch fails with a build error',
    actsOn: 'any',
    apply: (_w, host) => marker(host, 'rebuild-fails'),
    revert: (_w, host) => unmark(host, 'rebuild-fails'),
  },
  'unit-no-return': {
    description: 'after the next reboot the agent does not start again (it fails at start)',
    actsOn: 'any',
    // Armed for this boot: the agent keeps running now and refuses to start in any later boot.
    apply: (_w, host) =>
      exec(host, "cut -d' ' -f22 /proc/1/stat > /etc/runbook-sim/faults/unit-no-return"),
    revert: (_w, host) => unmark(host, 'unit-no-return'),
  },
  'no-return-from-reboot': {
    description: 'the host never comes back after a reboot',
    actsOn: 'any',
    apply: (_w, host) => void execFileSync('docker', ['update', '--restart=no', container(host)]),
    revert: (_w, host) => {
      execFileSync('docker', ['update', '--restart=unless-stopped', container(host)])
      spawnSync('docker', ['start', container(host)], { stdio: 'ignore' })
    },
  },
  'wrong-host-key': {
    description: 'the host presents a host key that is not the one in known_hosts',
    actsOn: 'any',
    // The marker keeps the next boot's provisioning from restoring the key on record.
    apply: (_w, host) =>
      exec(
        host,
        'touch /etc/runbook-sim/faults/wrong-host-key && rm -f /etc/ssh/ssh_host_ed25519_key* && ' +
          'ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key && systemctl restart ssh',
      ),
    // Provisioning writes the key on record again.
    revert: (_w, host) =>
      exec(
        host,
        'rm -f /etc/runbook-sim/faults/wrong-host-key && systemctl restart runbook-provision ssh',
      ),
  },
  'sudo-needs-password': {
    description:
      "the fleet user's sudo asks for a password (no NOPASSWD rule), as on a Mac nobody set up for it",
    actsOn: 'any',
    // The rule is kept aside, not deleted, so the revert restores exactly what provisioning wrote.
    apply: (_w, host) =>
      exec(
        host,
        'mv /etc/sudoers.d/90-* /etc/runbook-sim/faults/ && touch /etc/runbook-sim/faults/sudo-needs-password',
      ),
    revert: (_w, host) =>
      exec(
        host,
        'mv /etc/runbook-sim/faults/90-* /etc/sudoers.d/ && rm -f /etc/runbook-sim/faults/sudo-needs-password',
      ),
  },
  'dashboard-never-healthy': {
    description:
      'the pinned v2 revision csb1 builds has an image without wget, so its healthcheck (wget --spider /login) cannot pass',
    actsOn: 'dashboard',
    apply: () =>
      changePinnedDashboard(
        // Before USER 1000: the image's files are root's.
        `sed -i 's#^USER 1000#RUN rm -f /usr/local/bin/wget\\nUSER 1000#' v2/Dockerfile && grep -q 'rm -f /usr/local/bin/wget' v2/Dockerfile`,
        'chore(docker): slimmer v2 image',
      ),
    revert: { freshFleetOnly: ONCE_MADE },
  },
  'wrong-agent-token': {
    description: "the host's agent token file holds a token the dashboard does not accept",
    actsOn: 'agent',
    // Both places a token lives: agenix's source (NixOS, copied to /run at boot) and the Mac's file.
    apply: (_w, host) =>
      exec(
        host,
        'touch /etc/runbook-sim/faults/wrong-agent-token; ' +
          'if [ -f /etc/agenix-sim/nixfleet-token ]; then printf "NIXFLEET_TOKEN=%s\\n" not-the-fleet-token > /etc/agenix-sim/nixfleet-token; ' +
          'cp /etc/agenix-sim/nixfleet-token /run/agenix/nixfleet-token; fi; ' +
          'for t in /home/*/.config/nixfleet/token /Users/*/.config/nixfleet/token; do [ -f "$t" ] && printf not-the-fleet-token > "$t"; done; true',
      ),
    revert: { freshFleetOnly: ONCE_MADE },
  },
  'totp-mismatch': {
    description:
      "csb1's ~/secrets/nixfleet.env, prepared before the migration, has a TOTP secret other than the operator's",
    actsOn: 'dashboard',
    // A valid base32 secret, just not the operator's. The runbook keeps a complete file it finds.
    apply: (world, host) =>
      preparedEnvFile(
        world,
        host,
        's/^NIXFLEET_TOTP_SECRET=.*/NIXFLEET_TOTP_SECRET=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP/',
      ),
    revert: { freshFleetOnly: ONCE_MADE },
  },
  'required-variable-missing': {
    description:
      "csb1's ~/secrets/nixfleet.env, prepared before the migration, lacks NIXFLEET_SESSION_SECRET",
    actsOn: 'dashboard',
    apply: (world, host) => preparedEnvFile(world, host, '/^NIXFLEET_SESSION_SECRET=/d'),
    revert: { freshFleetOnly: ONCE_MADE },
  },
  'agent-exits-on-start': {
    description: 'the agent exits with an error as soon as it starts',
    actsOn: 'agent',
    apply: (_w, host) => marker(host, 'agent-exits-on-start'),
    revert: (_w, host) => unmark(host, 'agent-exits-on-start'),
  },
  'no-restart-policy': {
    description:
      'when the v2 dashboard container starts on csb1 (the deploy), its restart policy is set to no, as a service defined without one would have',
    actsOn: 'dashboard',
    // A watcher on csb1's Docker events, as a transient unit; the policy it sets stays with the container.
    apply: (_w, host) =>
      exec(
        host,
        `systemd-run --unit=runbook-fault-no-restart-policy sh -c ` +
          shq(
            `docker events --filter type=container --filter event=start --filter label=com.docker.compose.project=csb1 --filter label=com.docker.compose.service=nixfleet --format '{{.ID}}' | ` +
              `while read -r id; do docker update --restart=no "$id"; done`,
          ),
      ),
    revert: { freshFleetOnly: ONCE_MADE },
  },
  'neighbour-breaks': {
    description:
      'when the next nixfleet container starts on csb1 (the deploy), the neighbouring grafana service is stopped',
    actsOn: 'dashboard',
    // A watcher on csb1's Docker events, as a transient unit (gone after a reboot; grafana,
    // stopped explicitly, stays stopped under its unless-stopped policy).
    apply: (_w, host) =>
      exec(
        host,
        `systemd-run --unit=runbook-fault-neighbour-breaks sh -c ` +
          shq(
            `docker events --filter type=container --filter event=start --filter label=com.docker.compose.project=csb1 --filter label=com.docker.compose.service=nixfleet --format '{{.ID}}' | ` +
              `{ read -r _; docker stop $(docker ps -q --filter label=com.docker.compose.service=grafana); }`,
          ),
      ),
    revert: (_w, host) =>
      exec(
        host,
        'systemctl stop runbook-fault-neighbour-breaks 2>/dev/null; cd ~mba/docker && docker compose up -d grafana',
      ),
  },
  'person-never-logs-in': {
    description:
      'asked to restart the Mac, the simulated person restarts it but never logs in: it waits at the FileVault unlock screen, without SSH',
    actsOn: 'agent',
    apply: (_w, host) => marker(host, 'person-never-logs-in'),
    // The person logs in after all (if the Mac waits at the screen now) and behaves from then on.
    revert: (_w, host) =>
      exec(
        host,
        'rm -f /etc/runbook-sim/faults/person-never-logs-in; mkdir -p /run/runbook-sim; touch /run/runbook-sim/logged-in',
      ),
  },
  'morning-firewall': {
    description:
      "csb1 runs the migration morning's firewall (nixcfg 9021575c): TCP 80 and 443 open, not SSH's 2222",
    actsOn: 'dashboard',
    // The morning's state of the real file, committed on the remote and switched to by csb1
    // itself, so the configuration its next boot applies is the one that locked it out.
    apply: (world, host) => {
      const file = `hosts/${host}/configuration.nix`
      commitOnRemote(
        'nixcfg',
        `sed -i -e '/^ *2222 # SSH/d' -e 's/# Firewall - allow web traffic and SSH/# Firewall - allow web traffic/' ${file} && ! grep -q '2222 # SSH' ${file}`,
        `feat(${host}): firewall - allow web traffic`,
      )
      const m = machines(world).find((x) => x.name === host)
      if (!m) throw new Error(`morning-firewall: no simulated machine ${host}`)
      const { user, checkout } = { user: m.user.name, checkout: m.checkout }
      exec(
        host,
        `runuser -u ${user} -- git -C ${checkout} pull -q --ff-only && cd ${checkout} && nixos-rebuild switch --flake .#${host} >/dev/null 2>&1`,
      )
    },
    revert: { freshFleetOnly: ONCE_MADE },
  },
  'nixcfg-mkforce': {
    description:
      "a commit on the nixcfg remote wraps the host's agent enable in lib.mkForce (valid Nix the runbook must not edit)",
    actsOn: 'any',
    apply: (world, host) => {
      const file =
        machines(world).find((m) => m.name === host)?.role === 'macos'
          ? 'home.nix'
          : 'configuration.nix'
      const path = `hosts/${host}/${file}`
      commitOnRemote(
        'nixcfg',
        `sed -i -e 's/^    enable = true;$/    enable = lib.mkForce true;/' ` +
          `-e 's/services.nixfleet-agent.enable = true;/services.nixfleet-agent.enable = lib.mkForce true;/' ${path} && grep -q mkForce ${path}`,
        `fix(${host}): keep the agent on whatever other modules say`,
      )
    },
    revert: { freshFleetOnly: ONCE_MADE },
  },
} satisfies Record<string, FaultEntry>

export type FaultName = keyof typeof CATALOG
export interface FaultSpec {
  name: FaultName
  host: string
}

/** Each fault's description, by name (the catalog as the README and the matrix show it). */
export const FAULTS = Object.fromEntries(
  Object.entries(CATALOG).map(([name, e]) => [name, e.description]),
) as Record<FaultName, string>

/** How a fault is undone: a function, or why only a fresh fleet undoes it. */
export function revertOf(name: FaultName): FaultEntry['revert'] {
  return (CATALOG[name] as FaultEntry).revert
}

export function parseFaults(text: string | undefined, world: World): FaultSpec[] {
  if (!text?.trim()) return []
  return text.split(',').map((item) => {
    const [name, host] = item.trim().split(':')
    if (!name || !(name in CATALOG)) {
      throw new Error(
        `REHEARSAL_FAULTS: unknown fault "${name ?? ''}" (known: ${Object.keys(CATALOG).join(', ')})`,
      )
    }
    if (!host || !world.machines[host]) {
      throw new Error(
        `REHEARSAL_FAULTS: fault ${name} needs a simulated host, e.g. ${name}:gpc0 (got "${host ?? ''}")`,
      )
    }
    const machine = machines(world).find((m) => m.name === host)
    const entry = CATALOG[name as FaultName] as FaultEntry
    if (entry.actsOn === 'dashboard' && machine?.image !== 'csb1')
      throw new Error(`REHEARSAL_FAULTS: ${name} acts on the dashboard host; use ${name}:csb1`)
    if (entry.actsOn === 'agent' && !machine)
      throw new Error(`REHEARSAL_FAULTS: ${name} needs a NixOS or macOS host`)
    return { name: name as FaultName, host }
  })
}

export function applyFault(world: World, f: FaultSpec): void {
  ;(CATALOG[f.name] as FaultEntry).apply(world, f.host)
  say(`rehearsal fault applied: ${f.name} on ${f.host} (${FAULTS[f.name]})`)
}

/** Undoes a fault, so a long-lived fleet (or the next test) starts clean again. */
export function revertFault(world: World, f: FaultSpec): void {
  const revert = revertOf(f.name)
  if (typeof revert !== 'function')
    throw new Error(
      `fault ${f.name} cannot be reverted on a running fleet (${revert.freshFleetOnly}); start a fresh one`,
    )
  revert(world, f.host)
}

export async function applyFaults(world: World, faults: FaultSpec[]): Promise<void> {
  for (const f of faults) applyFault(world, f)
  await Promise.resolve()
}
