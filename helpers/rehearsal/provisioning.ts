import type { HostProvisioning } from '../../docker/sim/provision/host-spec.ts'
import type { RehearsalSecrets } from './secrets.ts'
import type { Machine, World } from './world.ts'

const NIXCFG_URL = 'https://github.com/markus-barta/nixcfg.git'

/** What a simulated host is told about itself at boot (from the world, never the inventory). */
export function machineProvisioning(
  m: Machine,
  hostKey: { private: string; public: string },
  clientPublicKey: string,
  secrets: RehearsalSecrets,
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
    hostname: m.name,
    role: m.role,
    sshPort: m.ssh_port,
    hostKey: { type: 'ed25519', ...hostKey },
    users: [
      {
        name: u.name,
        uid: u.uid,
        home: u.home,
        sudo: true,
        shell: '/bin/bash',
        authorizedKeys: [clientPublicKey],
      },
    ],
    checkout: { user: u.name, path: m.checkout, repoUrl: NIXCFG_URL, branch: 'main' },
    files: tokenFiles,
    deploy: {
      user: m.role === 'nixos' ? 'root' : u.name,
      command:
        m.role === 'nixos'
          ? ['nixos-rebuild', 'switch', '--flake', `${m.checkout}#${m.deployed_attr}`]
          : ['home-manager', 'switch', '--flake', `${m.checkout}#${m.deployed_attr}`],
    },
  }
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
      },
    ],
    files: [],
  }
}
