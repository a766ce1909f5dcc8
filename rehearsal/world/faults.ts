import { execFileSync, spawnSync } from 'node:child_process'
import { say } from '../../helpers/output/say.ts'
import { machines, type World } from './world.ts'

/**
 * The rehearsal's fault catalog. A fault makes one condition false on one
 * simulated host so that the check watching that condition can be seen to
 * fail. Selected per run with REHEARSAL_FAULTS=name:host[,name:host…].
 */
export const FAULTS = {
  'host-unreachable': 'the host is cut off the network: SSH to it fails to connect',
  'rebuild-fails': 'nixos-rebuild / home-manager switch fails with a build error',
  'unit-no-return': 'after the next reboot the agent does not start again (it fails at start)',
  'no-return-from-reboot': 'the host never comes back after a reboot',
  'wrong-host-key': 'the host presents a host key that is not the one in known_hosts',
  'dashboard-never-healthy':
    'the v2 commit csb1 pulls has a healthcheck that cannot pass (it calls curl, which the image lacks)',
  'wrong-agent-token': "the host's agent token file holds a token the dashboard does not accept",
  'totp-mismatch': "csb1's dashboard env file has a TOTP secret other than the operator's",
  'required-variable-missing': "csb1's dashboard env file lacks NIXFLEET_SESSION_SECRET",
  'agent-exits-on-start': 'the agent exits with an error as soon as it starts',
  'no-restart-policy': 'the v2 commit csb1 pulls has no restart policy for the dashboard service',
  'neighbour-breaks':
    'when the next nixfleet container starts on csb1 (the deploy), the neighbouring grafana service is stopped',
  'nixcfg-mkforce':
    "a commit on the nixcfg remote wraps the host's agent enable in lib.mkForce (valid Nix the runbook must not edit)",
} as const

/** Faults that change the dashboard host (csb1); the others act on an agent host. */
const DASHBOARD_FAULTS: readonly FaultName[] = [
  'dashboard-never-healthy',
  'totp-mismatch',
  'required-variable-missing',
  'no-restart-policy',
  'neighbour-breaks',
]
const AGENT_FAULTS: readonly FaultName[] = ['wrong-agent-token', 'agent-exits-on-start']

export type FaultName = keyof typeof FAULTS
export interface FaultSpec {
  name: FaultName
  host: string
}

export function parseFaults(text: string | undefined, world: World): FaultSpec[] {
  if (!text?.trim()) return []
  return text.split(',').map((item) => {
    const [name, host] = item.trim().split(':')
    if (!name || !(name in FAULTS)) {
      throw new Error(
        `REHEARSAL_FAULTS: unknown fault "${name ?? ''}" (known: ${Object.keys(FAULTS).join(', ')})`,
      )
    }
    if (!host || !world.machines[host]) {
      throw new Error(
        `REHEARSAL_FAULTS: fault ${name} needs a simulated host, e.g. ${name}:gpc0 (got "${host ?? ''}")`,
      )
    }
    const machine = machines(world).find((m) => m.name === host)
    if (DASHBOARD_FAULTS.includes(name as FaultName) && machine?.image !== 'csb1')
      throw new Error(`REHEARSAL_FAULTS: ${name} acts on the dashboard host; use ${name}:csb1`)
    if (AGENT_FAULTS.includes(name as FaultName) && !machine)
      throw new Error(`REHEARSAL_FAULTS: ${name} needs a NixOS or macOS host`)
    return { name: name as FaultName, host }
  })
}

/** A commit on a simulated remote (what the next `git pull` brings), made on the gateway. */
function commitOnRemote(repo: 'nixfleet' | 'nixcfg', edit: string, message: string): void {
  execFileSync('docker', [
    'exec',
    'rehearsal-gateway',
    'sh',
    '-euc',
    `t=$(mktemp -d); git clone -q /srv/git/markus-barta/${repo}.git "$t/n"; cd "$t/n"; ${edit}; ` +
      `git -c user.name='Markus Barta' -c user.email=markus@barta.cm commit -qam ${shq(message)}; ` +
      `git push -q origin HEAD:main; rm -rf "$t"`,
  ])
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

function envFile(world: World, host: string): string {
  const m = machines(world).find((x) => x.name === host)
  return `${m?.user.home ?? '/home/mba'}/secrets/nixfleet.env`
}

const container = (host: string): string => `rehearsal-${host}`
const exec = (host: string, script: string): void =>
  void execFileSync('docker', ['exec', container(host), 'sh', '-c', script])

export function applyFault(world: World, f: FaultSpec): void {
  switch (f.name) {
    case 'host-unreachable':
      spawnSync('docker', ['network', 'disconnect', '--force', world.network, container(f.host)], {
        stdio: 'ignore',
      })
      break
    case 'rebuild-fails':
      exec(f.host, 'touch /etc/runbook-sim/faults/rebuild-fails')
      break
    case 'unit-no-return':
      // Armed for this boot: the agent keeps running now and refuses to start in any later boot.
      exec(f.host, "cut -d' ' -f22 /proc/1/stat > /etc/runbook-sim/faults/unit-no-return")
      break
    case 'no-return-from-reboot':
      execFileSync('docker', ['update', '--restart=no', container(f.host)])
      break
    case 'dashboard-never-healthy':
      commitOnRemote(
        'nixfleet',
        `sed -i "s/'wget', '-q', '--spider',/'curl', '-sf',/" docker-compose.yml && grep -q curl docker-compose.yml`,
        'fix(compose): healthcheck with curl',
      )
      break
    case 'no-restart-policy':
      commitOnRemote(
        'nixfleet',
        `sed -i '/^ *restart: unless-stopped$/d' docker-compose.yml && ! grep -q 'restart:' docker-compose.yml`,
        'chore(compose): tidy service definition',
      )
      break
    case 'neighbour-breaks':
      // A watcher on csb1's Docker events, as a transient unit (gone after a reboot; grafana,
      // stopped explicitly, stays stopped under its unless-stopped policy).
      exec(
        f.host,
        `systemd-run --unit=runbook-fault-neighbour-breaks sh -c ` +
          shq(
            `docker events --filter type=container --filter event=start --filter label=com.docker.compose.project=nixfleet --format '{{.ID}}' | ` +
              `{ read -r _; docker stop $(docker ps -q --filter label=com.docker.compose.service=grafana); }`,
          ),
      )
      break
    case 'nixcfg-mkforce': {
      const file =
        machines(world).find((m) => m.name === f.host)?.role === 'macos'
          ? 'home.nix'
          : 'configuration.nix'
      const path = `hosts/${f.host}/${file}`
      commitOnRemote(
        'nixcfg',
        `sed -i -e 's/^    enable = true;$/    enable = lib.mkForce true;/' ` +
          `-e 's/services.nixfleet-agent.enable = true;/services.nixfleet-agent.enable = lib.mkForce true;/' ${path} && grep -q mkForce ${path}`,
        `fix(${f.host}): keep the agent on whatever other modules say`,
      )
      break
    }
    case 'totp-mismatch':
      // A valid base32 secret, just not the operator's.
      exec(
        f.host,
        `sed -i 's/^NIXFLEET_TOTP_SECRET=.*/NIXFLEET_TOTP_SECRET=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP/' ${envFile(world, f.host)}`,
      )
      break
    case 'required-variable-missing':
      exec(f.host, `sed -i '/^NIXFLEET_SESSION_SECRET=/d' ${envFile(world, f.host)}`)
      break
    case 'wrong-agent-token':
      // Both places a token lives: agenix's source (NixOS, copied to /run at boot) and the Mac's file.
      exec(
        f.host,
        'touch /etc/runbook-sim/faults/wrong-agent-token; ' +
          'if [ -f /etc/agenix-sim/nixfleet-token ]; then printf "NIXFLEET_TOKEN=%s\\n" not-the-fleet-token > /etc/agenix-sim/nixfleet-token; ' +
          'cp /etc/agenix-sim/nixfleet-token /run/agenix/nixfleet-token; fi; ' +
          'for t in /home/*/.config/nixfleet/token /Users/*/.config/nixfleet/token; do [ -f "$t" ] && printf not-the-fleet-token > "$t"; done; true',
      )
      break
    case 'agent-exits-on-start':
      exec(f.host, 'touch /etc/runbook-sim/faults/agent-exits-on-start')
      break
    case 'wrong-host-key':
      // The marker keeps the next boot's provisioning from restoring the key on record.
      exec(
        f.host,
        'touch /etc/runbook-sim/faults/wrong-host-key && rm -f /etc/ssh/ssh_host_ed25519_key* && ' +
          'ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key && systemctl restart ssh',
      )
      break
  }
  say(`rehearsal fault applied: ${f.name} on ${f.host} (${FAULTS[f.name]})`)
}

/** Undoes a fault, so a long-lived fleet (or the next test) starts clean again. */
export function revertFault(world: World, f: FaultSpec): void {
  const m = world.machines[f.host]
  switch (f.name) {
    case 'host-unreachable':
      execFileSync('docker', [
        'network',
        'connect',
        ...(m?.aliases ?? []).flatMap((a) => ['--alias', a]),
        world.network,
        container(f.host),
      ])
      break
    case 'rebuild-fails':
    case 'unit-no-return':
    case 'agent-exits-on-start':
      exec(f.host, `rm -f /etc/runbook-sim/faults/${f.name}`)
      break
    case 'neighbour-breaks':
      exec(
        f.host,
        'systemctl stop runbook-fault-neighbour-breaks 2>/dev/null; cd ~mba/docker && docker compose up -d grafana',
      )
      break
    case 'dashboard-never-healthy':
    case 'no-restart-policy':
    case 'nixcfg-mkforce':
    case 'totp-mismatch':
    case 'required-variable-missing':
    case 'wrong-agent-token':
      // These change files and history the rehearsal made once (env file, token, remote):
      // a fresh fleet (`npm run fleet:up`) is the way back.
      throw new Error(`fault ${f.name} cannot be reverted on a running fleet; start a fresh one`)
    case 'no-return-from-reboot':
      execFileSync('docker', ['update', '--restart=unless-stopped', container(f.host)])
      spawnSync('docker', ['start', container(f.host)], { stdio: 'ignore' })
      break
    case 'wrong-host-key':
      // Provisioning writes the key on record again.
      exec(
        f.host,
        'rm -f /etc/runbook-sim/faults/wrong-host-key && systemctl restart runbook-provision ssh',
      )
      break
  }
}

export async function applyFaults(world: World, faults: FaultSpec[]): Promise<void> {
  for (const f of faults) applyFault(world, f)
  await Promise.resolve()
}
