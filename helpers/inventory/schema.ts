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

const nixosHost = z.strictObject({
  os: z.literal('nixos'),
  ...common,
  config_file: relPath.regex(
    /configuration\.nix$/,
    'a NixOS host is configured in configuration.nix',
  ),
  flake_attr: z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected a nixosConfigurations attribute name'),
})

const macosHost = z.strictObject({
  os: z.literal('macos'),
  ...common,
  config_file: relPath.regex(/home\.nix$/, 'a macOS host is configured in home.nix'),
  hm_attr: z.string().regex(/^[A-Za-z0-9_.@-]+$/, 'expected a homeConfigurations attribute'),
})

export const hostSchema = z.discriminatedUnion('os', [nixosHost, macosHost])

const neighbour = z.strictObject({ name: z.string().min(1), url: z.url({ protocol: /^https$/ }) })

export const inventorySchema = z.strictObject({
  version: z.literal(1),
  nixcfg: z.strictObject({
    branch: z.string().min(1),
    // The flake input that brings the agent module, and the v2 release it is pinned to in phase 2.
    nixfleet_input: z.string().min(1),
    nixfleet_v2_rev: z.string().regex(/^[0-9a-f]{40}$/, 'must be a full 40-character commit id'),
  }),
  dashboard: z.strictObject({
    host: z.string().min(1),
    url: z.url({ protocol: /^https$/ }),
    ws_url: z.url({ protocol: /^wss$/ }),
    compose_dir: homePath,
    service: z.string().min(1),
    database: relPath,
    backup: relPath.regex(/\{date\}/, 'must contain {date}'),
    env_file: homePath,
    neighbours: z.array(neighbour),
  }),
  hosts: z.record(z.string().regex(/^[a-z0-9-]+$/, 'host names are lower-case words'), hostSchema),
})

export type InventoryFile = z.infer<typeof inventorySchema>
export type HostEntry = z.infer<typeof hostSchema>
