import type { Inventory } from '../inventory/load-inventory.ts'
import { parseHostList } from './host-list.ts'

export const SCOPE_VARIABLE = 'HOSTS'

/**
 * The hosts a run may act on and check, from HOSTS=a,b (every name must be
 * an inventory host; checked in the global setup before anything runs).
 * Undefined means every host.
 */
export function hostScope(
  inv: Inventory,
  env: NodeJS.ProcessEnv = process.env,
): string[] | undefined {
  return parseHostList(
    SCOPE_VARIABLE,
    env[SCOPE_VARIABLE],
    inv.hosts.map((h) => h.name),
    inv.file,
  )
}

export function inScope(
  inv: Inventory,
  host: string,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const scope = hostScope(inv, env)
  return !scope || scope.includes(host)
}

/** Why a host's check did not run in this run; undefined when the host is in scope. */
export function outOfScope(
  inv: Inventory,
  host: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return inScope(inv, host, env)
    ? undefined
    : `${host} is not in ${SCOPE_VARIABLE}=${env[SCOPE_VARIABLE] ?? ''}: not touched, not checked`
}

/** For the report: "all hosts" or the list. */
export function describeScope(inv: Inventory, env: NodeJS.ProcessEnv = process.env): string {
  const scope = hostScope(inv, env)
  return scope
    ? `${SCOPE_VARIABLE}=${scope.join(',')} (${scope.length} of ${inv.hosts.length} hosts)`
    : `all ${inv.hosts.length} hosts`
}
