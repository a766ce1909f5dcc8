import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Inventory } from '../inventory/load-inventory.ts'
import { agentDefinitions } from '../nixcfg/agent-block.ts'

/** A host nixcfg enables the agent on: `hosts/<name>/configuration.nix` or `home.nix`. */
export interface NixcfgAgentHost {
  host: string
  file: string
}

const HOST_FILES = ['configuration.nix', 'home.nix']

/** The hosts whose nixcfg file enables the agent (a file the runbook cannot read counts as enabling it). */
export function agentHostsInNixcfg(dir: string): NixcfgAgentHost[] {
  const hostsDir = join(dir, 'hosts')
  if (!existsSync(hostsDir)) return []
  return readdirSync(hostsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      HOST_FILES.map((f) => `hosts/${d.name}/${f}`)
        .filter((f) => existsSync(join(dir, f)))
        .flatMap((file) => {
          const text = readFileSync(join(dir, file), 'utf8')
          if (!text.includes('nixfleet-agent')) return []
          try {
            return agentDefinitions(text, file).enabled ? [{ host: d.name, file }] : []
          } catch {
            // No plain enable (mkIf, an expression…): the agent may well run there.
            return [{ host: d.name, file }]
          }
        }),
    )
}

/**
 * The hosts running an agent that the inventory neither migrates nor leaves
 * out with a reason: the plan would leave them on v1 unnoticed. Each problem
 * says where the host was found.
 */
export function hostsBeyondPlan(
  inv: Pick<Inventory, 'hosts' | 'leftOut'>,
  found: { nixcfg: NixcfgAgentHost[]; v1Listed: Map<string, string | null> },
): { problems: string[]; leftOut: string[] } {
  const known = (h: string): boolean => inv.hosts.some((x) => x.name === h) || h in inv.leftOut
  const where = new Map<string, string[]>()
  const add = (h: string, w: string): void => void where.set(h, [...(where.get(h) ?? []), w])
  for (const n of found.nixcfg) add(n.host, `${n.file} enables the agent`)
  for (const [h, seen] of found.v1Listed)
    add(h, `the v1 dashboard lists it (last seen ${seen ?? 'never'})`)
  const problems = [...where]
    .filter(([h]) => !known(h))
    .map(
      ([h, w]) =>
        `${h}: ${w.join('; ')}, but the inventory does not list it: the plan would leave it running v1 (add it to hosts, or to left_out with the reason)`,
    )
  const leftOut = [...where.keys()]
    .filter((h) => h in inv.leftOut)
    .map((h) => `${h}: left out: ${inv.leftOut[h]}`)
  return { problems, leftOut }
}
