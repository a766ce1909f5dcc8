import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { z } from 'zod'

export const WORLD_FILE = fileURLToPath(
  new URL('../../fixtures/rehearsal/world.yaml', import.meta.url),
)

const machine = z.strictObject({
  role: z.enum(['nixos', 'macos']),
  /** A machine with more than its role's image (csb1: a Docker engine and the dashboard stacks). */
  image: z.enum(['csb1']).optional(),
  groups: z.array(z.string()).optional(),
  aliases: z.array(z.string().min(1)).min(1),
  ssh_port: z.number().int().min(1).max(65535),
  user: z.strictObject({
    name: z.string(),
    uid: z.number().int(),
    home: z.string().startsWith('/'),
  }),
  checkout: z.string().startsWith('/'),
  deployed_attr: z.string().min(1),
})

const worldSchema = z.strictObject({
  version: z.literal(1),
  network: z.string().min(1),
  published: z.strictObject({
    gateway_ssh: z.number().int(),
    git: z.number().int(),
    https: z.number().int(),
  }),
  gateway: z.strictObject({
    hostname: z.string(),
    aliases: z.array(z.string()),
    jump_user: z.string(),
  }),
  operator_aliases: z.record(
    z.string(),
    z.strictObject({ hostname: z.string(), user: z.string() }),
  ),
  machines: z.record(z.string(), machine),
})

export type World = z.infer<typeof worldSchema>
export type Machine = z.infer<typeof machine> & { name: string }

export function loadWorld(file = WORLD_FILE): World {
  const r = worldSchema.safeParse(parse(readFileSync(file, 'utf8')))
  if (!r.success) {
    throw new Error(
      r.error.issues.map((i) => `${file}: field ${i.path.join('.')}: ${i.message}`).join('\n'),
    )
  }
  return r.data
}

export function machines(world: World): Machine[] {
  return Object.entries(world.machines).map(([name, m]) => ({ ...m, name }))
}
