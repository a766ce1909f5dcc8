/**
 * Benchmark: time to bring up the simulated fleet (images already built) and
 * the memory each simulated machine uses when idle. Targets (issue): up in
 * 30 s or less, 64 MiB or less per idle host. Prints figures; asserts nothing.
 *
 *   npm run bench:fleet
 */
import { cpus } from 'node:os'
import { buildImages } from '../docker/build-images.ts'
import { fleetDown, fleetUp } from '../rehearsal/world/fleet-lifecycle.ts'
import { sleep } from '../helpers/time/duration.ts'
import { cpuSeconds, machineCpu, pssMiB, rehearsalContainers } from './bench/machine-usage.ts'

await buildImages() // not timed: the target is for images already built
fleetDown()
const cpuBefore = machineCpu()
const started = Date.now()
await fleetUp({ snapshots: false }) // cold: every first boot, as the CPU figures describe
const upMs = Date.now() - started
const cpuAfter = machineCpu()
const cpuAtUp = new Map(rehearsalContainers().map((c) => [c.name, cpuSeconds(c.id)]))
await sleep(15_000) // let first-boot work settle before calling a host idle
console.log(
  `fleet up (8 hosts + gateway, images built): ${(upMs / 1000).toFixed(1)} s   (target <= 30 s)`,
)
{
  const busy = cpuAfter.busy - cpuBefore.busy
  const total = cpuAfter.total - cpuBefore.total
  console.log(
    `CPU during fleet up: ${busy.toFixed(1)} of ${total.toFixed(1)} core-seconds busy (${((100 * busy) / total).toFixed(0)} %, ${cpus().length} cores)`,
  )
}
console.log('per simulated machine: CPU used until up; idle memory, PSS (target <= 64 MiB):')
for (const { name } of rehearsalContainers()) {
  const cpu = cpuAtUp.get(name)
  console.log(
    `  ${name.padEnd(24)} cpu ${cpu === undefined ? '?' : `${cpu.toFixed(1)} s`}`.padEnd(40) +
      `${pssMiB(name).toFixed(1)} MiB`,
  )
}
if (process.env.REHEARSAL_KEEP !== '1') fleetDown()
