import { HostError } from '../hosts/errors.ts'
import { MacosAdapter } from './macos.ts'
import { NixosAdapter } from './nixos.ts'
import type { OsAdapter } from './os-adapter.ts'

/** The adapters, keyed by the inventory's `os`. */
const ADAPTERS: Record<string, () => OsAdapter> = {
  nixos: () => new NixosAdapter(),
  macos: () => new MacosAdapter(),
}

export const KNOWN_OSES = Object.keys(ADAPTERS)

/** The adapter for a host; an OS nobody wrote an adapter for is an error, never a guess. */
export function osAdapterFor(spec: { name: string; os: string }): OsAdapter {
  const make = ADAPTERS[spec.os]
  if (!make)
    throw new HostError(
      spec.name,
      `inventory says os: ${spec.os}, which the runbook has no adapter for (known: ${KNOWN_OSES.join(', ')})`,
    )
  return make()
}
