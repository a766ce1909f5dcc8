/**
 * What the simulated machines cost this machine, read from the host's /proc
 * and the containers' cgroups (shared by the benchmark scripts).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

// Proportional set size of every process in the container, read from the host's
// /proc: shared pages (the node binary, libc) are split among the containers that
// map them, so the sum over machines is the fleet's real footprint.
export function pssMiB(container: string): number {
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
export function machineCpu(): { busy: number; total: number } {
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

export function rehearsalContainers(): { id: string; name: string }[] {
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
export function cpuSeconds(id: string): number | undefined {
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
