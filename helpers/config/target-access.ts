import { readFileSync } from 'node:fs'
import { z } from 'zod'
import type { Target } from './target.ts'

/**
 * Everything that differs between reaching the real fleet and reaching a
 * rehearsal of it, as data. The product reads it and never knows how a
 * rehearsal is built: production is the operator's own set-up (~/.ssh, the
 * system's DNS and CAs, NIXCFG_WORKTREE, Nix itself); a rehearsal describes
 * itself in a file named by REHEARSAL_TARGET_FILE, which its set-up writes.
 */
export interface TargetAccess {
  target: Target
  /** ssh_config and known_hosts to resolve the plan's names (empty: the operator's ~/.ssh). */
  ssh: { configFile?: string; knownHostsFiles?: string[] }
  /** Name resolution and trust for HTTPS (absent: the system's DNS and CAs). */
  https?: { caFile: string; resolve: { suffix: string; address: string } }
  /** The nixcfg working copy, or why there is none. */
  worktree: { dir: string } | { missing: string }
  /**
   * How the nixfleet flake input is pinned: Nix's own `nix flake lock
   * --override-input` (fetches the commit), or the lock entry rewritten as
   * Nix would write it (for a world that cannot reach GitHub).
   */
  flakePin: 'nix' | 'rewrite-lock'
  /**
   * How a host's configuration is evaluated on this machine before a pin is
   * committed: Nix's own `nix eval`, or a command the target gives
   * (`<command…> <flakeDir> <kind>:<attr>…`, one JSON line per output).
   */
  evaluate: 'nix' | { command: string[] }
  /** Where steps proven on this target are recorded (absent: next to production's reports). */
  ledger?: string
  /**
   * Who does a person's step (restart a Mac and log in), and how long the run
   * waits for its result: the operator (production), or a simulated person
   * the target starts with `<command…> <host> <step>` (a rehearsal).
   */
  person:
    | { by: 'operator'; deadlineMs: number }
    | { by: 'simulated'; command: string[]; deadlineMs: number }
  /**
   * A rehearsal's nixfleet remote cannot hold the real commits (a commit's
   * hash is its content): this JSON file maps each real revision to the
   * fixture commit standing in for it. Absent in production, where the real
   * revision is checked out as it is.
   */
  nixfleetStandIns?: string
}

export class TargetAccessError extends Error {
  override name = 'TargetAccessError'
}

export const PERSON_DEADLINE_VARIABLE = 'MIGRATION_PERSON_DEADLINE'
const DEFAULT_PERSON_DEADLINE = '20m'

/** How long the run waits for a person's step in production (MIGRATION_PERSON_DEADLINE, e.g. 30m). */
export function personDeadlineMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[PERSON_DEADLINE_VARIABLE] ?? DEFAULT_PERSON_DEADLINE
  const m = /^(\d+)(s|m|h)$/.exec(text.trim())
  if (!m || Number(m[1]) === 0)
    throw new TargetAccessError(
      `${PERSON_DEADLINE_VARIABLE}=${text}: expected a duration such as 20m, 900s or 1h`,
    )
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h']
}

export const TARGET_FILE_VARIABLE = 'REHEARSAL_TARGET_FILE'

const rehearsalDescription = z.strictObject({
  ssh: z.strictObject({ configFile: z.string(), knownHostsFiles: z.array(z.string()) }),
  https: z.strictObject({
    caFile: z.string(),
    resolve: z.strictObject({ suffix: z.string().startsWith('.'), address: z.string() }),
  }),
  worktree: z.string(),
  flakePin: z.enum(['nix', 'rewrite-lock']),
  evaluate: z.strictObject({ command: z.array(z.string()).min(1) }),
  ledger: z.string(),
  person: z.strictObject({
    by: z.literal('simulated'),
    command: z.array(z.string()).min(1),
    deadlineMs: z.number().int().positive(),
  }),
  nixfleetStandIns: z.string().optional(),
})
export type RehearsalDescription = z.infer<typeof rehearsalDescription>

const cache = new Map<string, TargetAccess>()

export function targetAccess(target: Target, env: NodeJS.ProcessEnv = process.env): TargetAccess {
  if (target === 'production') {
    const dir = env.NIXCFG_WORKTREE
    return {
      target,
      ssh: {},
      worktree: dir
        ? { dir }
        : {
            missing:
              'NIXCFG_WORKTREE is not set: give the path of your nixcfg working copy (the plan works in ~/Code/nixcfg)',
          },
      flakePin: 'nix',
      evaluate: 'nix',
      person: { by: 'operator', deadlineMs: personDeadlineMs(env) },
    }
  }
  const file = env[TARGET_FILE_VARIABLE]
  if (!file)
    throw new TargetAccessError(
      `rehearsal: ${TARGET_FILE_VARIABLE} is not set, so there is no simulated fleet to reach ` +
        '(its set-up writes it: run the specs with `npx vitest run specs/…`, which starts or attaches to one)',
    )
  const known = cache.get(file)
  if (known) return known
  let parsed: RehearsalDescription
  try {
    parsed = rehearsalDescription.parse(JSON.parse(readFileSync(file, 'utf8')))
  } catch (err) {
    throw new TargetAccessError(
      `rehearsal: ${file} (${TARGET_FILE_VARIABLE}) does not describe a target: ${(err as Error).message}`,
    )
  }
  const access: TargetAccess = { target, ...parsed, worktree: { dir: parsed.worktree } }
  cache.set(file, access)
  return access
}
