import { z } from 'zod'

/** Schema of fixtures/fleet.yaml. Strict: an unknown key is an error, not ignored. */

const sshTarget = z.strictObject({
  target: z
    .string()
    .regex(
      /^(?:[a-z_][a-z0-9_.-]*@)?[A-Za-z0-9][A-Za-z0-9.-]*$/,
      'expected "alias" or "user@host"',
    ),
  port: z.number().int().min(1).max(65535).optional(),
})

const homePath = z.string().regex(/^~\/[^\s]+$|^\/[^\s]+$/, 'expected an absolute path or ~/path')
const relPath = z
  .string()
  .regex(/^(?!\/)(?!.*\.\.)[^\s]+$/, 'expected a path relative to the checkout')
const phase = z.union([z.literal(1), z.literal(2), z.literal(3)])

const common = {
  role: z.string().min(1),
  ssh: sshTarget,
  checkout: homePath,
  config_file: relPath,
  phases: z.array(phase).min(1),
}

/**
 * Who restarts the host when a step needs a reboot: the runbook over SSH, or
 * a person (a Mac with FileVault waits at the unlock screen until someone
 * logs in; the plan itself says "Restart the Mac"). Macs default to a person.
 */
const reboot = z.enum(['ssh', 'person'])

/**
 * Whether the fleet user's sudo asks for a password. The runbook never types
 * one: a step that needs sudo on a `password` host is refused at once. The
 * fleet's NixOS hosts set wheelNeedsPassword = false; macOS asks by default.
 */
const sudo = z.enum(['passwordless', 'password'])

const nixosHost = z.strictObject({
  os: z.literal('nixos'),
  ...common,
  reboot: reboot.default('ssh'),
  sudo: sudo.default('passwordless'),
  config_file: relPath.regex(
    /configuration\.nix$/,
    'a NixOS host is configured in configuration.nix',
  ),
  flake_attr: z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected a nixosConfigurations attribute name'),
})

const macosHost = z.strictObject({
  os: z.literal('macos'),
  ...common,
  reboot: reboot.default('person'),
  sudo: sudo.default('password'),
  config_file: relPath.regex(/home\.nix$/, 'a macOS host is configured in home.nix'),
  hm_attr: z.string().regex(/^[A-Za-z0-9_.@-]+$/, 'expected a homeConfigurations attribute'),
})

export const hostSchema = z.discriminatedUnion('os', [nixosHost, macosHost])

/** A URL the runbook connects to: no credentials in it (they would land in logs and reports). */
const url = (protocol: RegExp) =>
  z.url({ protocol }).refine((u) => {
    const p = new URL(u)
    return p.username === '' && p.password === ''
  }, 'must not carry credentials (user:password@): secrets come from the environment')

const neighbour = z.strictObject({ name: z.string().min(1), url: url(/^https$/) })

export const inventorySchema = z.strictObject({
  version: z.literal(1),
  nixcfg: z.strictObject({
    // Goes into git commands and the hosts' pulls: a plain branch name only.
    branch: z
      .string()
      .regex(
        /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\.lock$)(?!.*\/$)[A-Za-z0-9._/-]+$/,
        'expected a git branch name (letters, digits, . _ - /)',
      ),
    // The flake input that brings the agent module, and the v2 release it is pinned to in phase 2.
    nixfleet_input: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_'-]*$/, 'expected a flake input name (a Nix identifier)'),
    nixfleet_v2_rev: z.string().regex(/^[0-9a-f]{40}$/, 'must be a full 40-character commit id'),
  }),
  dashboard: z.strictObject({
    host: z.string().min(1),
    url: url(/^https$/),
    ws_url: url(/^wss$/),
    // The main Compose stack (Traefik and the neighbours): v2 is added to it as a service.
    compose_dir: homePath,
    // A Compose service name, used in `docker compose … <service>`.
    service: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'expected a Compose service name'),
    // The nixfleet source checkout on csb1: v2 is built from its v2/ directory.
    checkout: homePath,
    // The dashboard's own pin: the nixfleet commit csb1 builds (the agents' pin is nixcfg's flake.lock).
    revision: z.string().regex(/^[0-9a-f]{40}$/, 'must be a full 40-character commit id'),
    // v1's database: its path inside the v1 container (the named volume mounted at its directory).
    database: z
      .string()
      .regex(
        /^\/[^\s]+\/[^\s/]+$/,
        'expected the absolute path inside the v1 container, e.g. /data/nixfleet.db',
      ),
    backup: relPath.regex(/\{date\}/, 'must contain {date}'),
    // Plan §1.3 (as executed): the v1 folder is kept under this name.
    archive: homePath.regex(/\{date\}/, 'must contain {date}'),
    env_file: homePath,
    neighbours: z.array(neighbour),
  }),
  /**
   * Hosts that run a NixFleet agent but that the plan does not migrate, each
   * with the reason: the runbook reports any other such host it finds (in
   * nixcfg, on the v1 dashboard) as left running v1 by the plan.
   */
  left_out: z
    .record(
      z.string().regex(/^[a-z0-9-]+$/, 'host names are lower-case words'),
      z.string().min(1, 'give the reason the host is left out'),
    )
    .default({}),
  hosts: z
    .record(z.string().regex(/^[a-z0-9-]+$/, 'host names are lower-case words'), hostSchema)
    .superRefine((hosts, ctx) => {
      // Two hosts behind one SSH target, or sharing one config file, would be acted on twice.
      const seen = { target: new Map<string, string>(), config: new Map<string, string>() }
      for (const [name, h] of Object.entries(hosts)) {
        const target = `${h.ssh.target}:${h.ssh.port ?? 22}`
        const file = h.config_file
        for (const [kind, key, field] of [
          ['target', target, 'ssh'],
          ['config', file, 'config_file'],
        ] as const) {
          const other = seen[kind].get(key)
          if (other)
            ctx.addIssue({
              code: 'custom',
              path: [name, field],
              message: `${kind === 'target' ? `SSH target ${target}` : `config file ${file}`} is also ${other}'s`,
            })
          else seen[kind].set(key, name)
        }
      }
    }),
})

export type InventoryFile = z.infer<typeof inventorySchema>
export type HostEntry = z.infer<typeof hostSchema>
