import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseDocument } from 'yaml'
import type { z } from 'zod'
import { inventorySchema, type HostEntry, type InventoryFile } from './schema.ts'

export const DEFAULT_INVENTORY = fileURLToPath(
  new URL('../../fixtures/fleet.yaml', import.meta.url),
)

export type HostSpec = HostEntry & { name: string }

export interface Inventory {
  file: string
  nixcfg: InventoryFile['nixcfg']
  dashboard: InventoryFile['dashboard']
  hosts: HostSpec[]
  /** Agent hosts the plan does not migrate, with the reason (`left_out`). */
  leftOut: Record<string, string>
}

export class InventoryError extends Error {
  override name = 'InventoryError'
}

function describeIssue(file: string, issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String)
  if (path[0] === 'hosts' && path.length >= 2) {
    const field = path.slice(2).join('.') || '(the entry)'
    return `${file}: host ${path[1]}: field ${field}: ${issue.message}`
  }
  return `${file}: field ${path.join('.') || '(top level)'}: ${issue.message}`
}

export function parseInventory(text: string, file = 'fleet.yaml'): Inventory {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true })
  if (doc.errors.length > 0) {
    throw new InventoryError(doc.errors.map((e) => `${file}: ${e.message}`).join('\n'))
  }
  const parsed = inventorySchema.safeParse(doc.toJS())
  if (!parsed.success) {
    throw new InventoryError(parsed.error.issues.map((i) => describeIssue(file, i)).join('\n'))
  }
  const data = parsed.data
  const hosts = Object.entries(data.hosts).map(([name, h]) => ({ ...h, name }))
  const problems: string[] = []
  if (!data.hosts[data.dashboard.host]) {
    problems.push(
      `${file}: field dashboard.host: "${data.dashboard.host}" is not a host of this inventory`,
    )
  } else if (data.hosts[data.dashboard.host]?.os !== 'nixos') {
    problems.push(`${file}: field dashboard.host: ${data.dashboard.host} must be a NixOS host`)
  }
  if (hosts.length === 0) problems.push(`${file}: field hosts: the inventory has no hosts`)
  for (const name of Object.keys(data.left_out))
    if (data.hosts[name])
      problems.push(`${file}: field left_out.${name}: ${name} is a host of this inventory`)
  if (problems.length) throw new InventoryError(problems.join('\n'))
  return { file, nixcfg: data.nixcfg, dashboard: data.dashboard, hosts, leftOut: data.left_out }
}

export function loadInventory(file = process.env.FLEET_INVENTORY ?? DEFAULT_INVENTORY): Inventory {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new InventoryError(`inventory ${file} cannot be read: ${(err as Error).message}`)
  }
  return parseInventory(text, file)
}

export function hostByName(inv: Inventory, name: string): HostSpec {
  const h = inv.hosts.find((x) => x.name === name)
  if (!h)
    throw new InventoryError(
      `${inv.file}: no host named "${name}" (known: ${inv.hosts.map((x) => x.name).join(', ')})`,
    )
  return h
}

/** Hosts a phase acts on, optionally narrowed by HOSTS=a,b (names checked against the inventory). */
export function hostsForPhase(inv: Inventory, phase: 1 | 2 | 3, only?: string[]): HostSpec[] {
  only?.forEach((n) => hostByName(inv, n))
  return inv.hosts.filter((h) => h.phases.includes(phase) && (!only || only.includes(h.name)))
}
