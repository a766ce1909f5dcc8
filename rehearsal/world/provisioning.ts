import type { HostProvisioning } from '../../docker/sim/provision/host-spec.ts'
import type { RehearsalSecrets } from './secrets.ts'
import { machines, type Machine, type World } from './world.ts'

const NIXCFG_URL = 'https://github.com/markus-barta/nixcfg.git'

/** What csb1 additionally gets: the v1 stack's seed data (no v2 secrets file: the migration writes it). */
export interface Csb1Extras {
  v1Env: string
  v1Database: Buffer
  v1Commit: string
}

export function machineProvisioning(
  m: Machine,
  hostKey: { private: string; public: string },
  clientPublicKey: string,
  secrets: RehearsalSecrets,
  caCert: string,
  csb1?: Csb1Extras,
): HostProvisioning {
  const u = m.user
  const tokenFiles =
    m.role === 'nixos'
      ? [
          // agenix on NixOS: an EnvironmentFile holding NIXFLEET_TOKEN=… (reference §5.1)
          {
            path: '/etc/agenix-sim/nixfleet-token',
            content: `NIXFLEET_TOKEN=${secrets.agentToken}\n`,
            mode: '0400',
            owner: 'root:root',
          },
          {
            path: '/run/agenix/nixfleet-token',
            content: `NIXFLEET_TOKEN=${secrets.agentToken}\n`,
            mode: '0400',
            owner: 'root:root',
          },
        ]
      : [
          // macOS: a plain file holding the bare token, read with cat by the launchd wrapper
          {
            path: `${u.home}/.config/nixfleet/token`,
            content: `${secrets.agentToken}\n`,
            mode: '0600',
            owner: `${u.name}:users`,
          },
        ]
  return {
    // A real Mac's kernel host name (os.Hostname, `hostname`) is the one its network
    // gives it (imac0 reported imac0w.lan, reference §2); its LocalHostName stays the
    // plain name (the simulated scutil strips the domain).
    hostname: m.role === 'macos' ? `${m.name}.lan` : m.name,
    role: m.role,
    sshPort: m.ssh_port,
    hostKey: { type: 'ed25519', ...hostKey },
    users: [
      {
        name: u.name,
        uid: u.uid,
        home: u.home,
        sudo: true,
        // As on the real fleet (reference §4): every command sent over SSH goes through fish.
        shell: '/usr/bin/fish',
        authorizedKeys: [clientPublicKey],
        ...(m.groups ? { groups: m.groups } : {}),
      },
    ],
    checkout: { user: u.name, path: m.checkout, repoUrl: NIXCFG_URL, branch: 'main' },
    caCert,
    files: [...tokenFiles, ...(csb1 ? csb1Files(csb1) : [])],
    ...(csb1 ? { firstBoot: ['/usr/local/lib/csb1-first-boot.sh'] } : {}),
    deploy: {
      user: m.role === 'nixos' ? 'root' : u.name,
      command:
        m.role === 'nixos'
          ? ['nixos-rebuild', 'switch', '--flake', `${m.checkout}#${m.deployed_attr}`]
          : [
              `/etc/profiles/per-user/${u.name}/bin/home-manager`,
              'switch',
              '--flake',
              `${m.checkout}#${m.deployed_attr}`,
            ],
    },
  }
}

function csb1Files(x: Csb1Extras): HostProvisioning['files'] {
  const seed = '/var/lib/runbook-sim/seed'
  return [
    { path: `${seed}/v1.env`, content: x.v1Env, mode: '0600', owner: 'root:root' },
    {
      path: `${seed}/nixfleet.db`,
      content: x.v1Database.toString('base64'),
      encoding: 'base64',
      mode: '0644',
      owner: 'root:root',
    },
    { path: `${seed}/v1-commit`, content: x.v1Commit + '\n', mode: '0644', owner: 'root:root' },
  ]
}

export function gatewayProvisioning(
  world: World,
  hostKey: { private: string; public: string },
  clientPublicKey: string,
): HostProvisioning {
  return {
    hostname: world.gateway.hostname,
    role: 'gateway',
    sshPort: 22,
    hostKey: { type: 'ed25519', ...hostKey },
    users: [
      {
        name: world.gateway.jump_user,
        uid: 2000,
        home: '/home/jump',
        sudo: false,
        shell: '/bin/sh',
        authorizedKeys: [clientPublicKey],
        forwardOnly: true,
        permitOpen: machines(world).flatMap((m) =>
          [m.name, ...m.aliases].map((n) => `${n}:${m.ssh_port}`),
        ),
      },
    ],
    files: [],
  }
}
