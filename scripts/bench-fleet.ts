/**
 * Benchmark: time to bring up the simulated fleet (images already built) and
 * the memory each simulated machine uses when idle. Targets (issue): up in
 * 30 s or less, 64 MiB or less per idle host. Prints figures; asserts nothing.
 *
 *   npm run bench:fleet
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { buildImages } from '../docker/build-images.ts'
import { fleetDown, fleetUp } from '../rehearsal/world/fleet-lifecycle.ts'
import { sleep } from '../helpers/time/duration.ts'

await buildImages() // not timed: the target is for images already built
fleetDown()
const cpuBefore = machineCpu()
const started = Date.now()
await fleetUp()
const upMs = Date.now() - started
const cpuAfter = machineCpu()
const cpuAtUp = new Map(rehearsalContainers().map((c) => [c.name, cpuSeconds(c.id)]))
await sleep(15_000) // let first-boot work settle before calling a host idle
// Proportional set size of every process in the container, read from the host's
// /proc: shared pages (the node binary, libc) are split among the containers that
// map them, so the sum over machines is the fleet's real footprint.
function pssMiB(container: string): number {
  const pids = execFileSync('docker', ['top', container, '-eo', 'pid'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .slice(1)
  let kib = 0
  for (const pid of pids) {
    try {
      kib += Number(
        /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid.trim()}/smaps_rollup`, 'utf8'))?.[1] ??
          0,
      )
    } catch {
      /* process ended meanwhile */
    }
  }
  return kib / 1024
}

/** This machine's CPU time (all cores, in seconds) from /proc/stat: busy and total. */
function machineCpu(): { busy: number; total: number } {
  const ticks = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number)
  const total = ticks.reduce((a, b) => a + b, 0)
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0) // idle + iowait
  const hz = 100 // USER_HZ on Linux
  return { busy: (total - idle) / hz, total: total / hz }
}

function rehearsalContainers(): { id: string; name: string }[] {
  return execFileSync(
    'docker',
    ['ps', '--no-trunc', '--filter', 'label=runbook.rehearsal', '--format', '{{.ID}} {{.Names}}'],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n')
    .map((l) => {
      const [id = '', name = ''] = l.split(' ')
      return { id, name }
    })
    .sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * CPU time a container has used so far, from its cgroup (v1 cpuacct or v2
 * cpu.stat). On two cores, fleet up is bound by CPU: this says who spends it.
 */
function cpuSeconds(id: string): number | undefined {
  for (const [file, parse] of [
    [`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, (t: string) => Number(t) / 1e9],
    [
      `/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`,
      (t: string) => Number(/^usage_usec (\d+)/m.exec(t)?.[1]) / 1e6,
    ],
  ] as const) {
    try {
      return parse(readFileSync(file, 'utf8'))
    } catch {
      /* the other cgroup layout */
    }
  }
  return undefined
}

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
