import { worldHost } from '../fleet-lifecycle.ts'
import { loadWorld, machines, type Machine } from '../world.ts'
import type { Host } from '../../../helpers/hosts/host.ts'

/** A simulated machine for the fleet tests, reached as the world describes it. */
export function simulated(name: string): { machine: Machine; host: Host } {
  const machine = machines(loadWorld()).find((m) => m.name === name)
  if (!machine) throw new Error(`no simulated machine ${name}`)
  return { machine, host: worldHost(machine) }
}
