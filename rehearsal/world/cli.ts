/**
 * npm run fleet:up | fleet:down | fleet:status
 *   fleet:up      starts a fresh simulated fleet (REHEARSAL_FAULTS=name:host,… to start with faults)
 *   fleet:down    removes it
 *   fleet:status  shows each simulated machine: container state, boot, agent
 */
import { parseStartAs } from '../../helpers/runner/start-as.ts'
import { execFileSync } from 'node:child_process'
import { say } from '../../helpers/output/say.ts'
import { fleetDown, fleetUp, parseFaults, runningFleet, worldHost } from './fleet-lifecycle.ts'
import { loadWorld, machines } from './world.ts'

async function status(): Promise<number> {
  const state = runningFleet()
  if (!state) {
    say('no complete rehearsal fleet is running (npm run fleet:up starts one)')
    return 1
  }
  say(`rehearsal fleet started ${state.startedAt}, faults: ${state.faults.join(', ') || 'none'}`)
  for (const m of machines(loadWorld())) {
    const docker = execFileSync(
      'docker',
      [
        'inspect',
        '-f',
        '{{.State.Status}} since {{.State.StartedAt}}',
        state.containers[m.name] ?? '',
      ],
      { encoding: 'utf8' },
    ).trim()
    const h = worldHost(m)
    const agent = await h
      .run(
        m.role === 'nixos'
          ? 'systemctl is-active nixfleet-agent'
          : 'launchctl print gui/$(id -u)/com.nixfleet.agent 2>&1 | grep -E "state =|pid =" || echo none',
        { timeout: '20s' },
      )
      .then((r) => r.stdout.trim().replace(/\s+/g, ' '))
      .catch((e: unknown) => `unreachable: ${(e as Error).message}`)
    await h.close()
    say(`${m.name.padEnd(13)} ${docker.padEnd(45)} agent: ${agent}`)
  }
  return 0
}

const cmd = process.argv[2]
const world = loadWorld()
try {
  if (cmd === 'up')
    await fleetUp({
      faults: parseFaults(process.env.REHEARSAL_FAULTS, world),
      as: parseStartAs(process.env.REHEARSAL_START_AS),
    })
  else if (cmd === 'down') fleetDown(world)
  else if (cmd === 'status') process.exitCode = await status()
  else {
    say('usage: fleet (up|down|status)')
    process.exitCode = 2
  }
} catch (err) {
  say(`fleet ${cmd ?? ''}: ${(err as Error).message}`)
  process.exitCode = 1
}
// Docker clients (testcontainers) keep sockets open; the command is done, so leave now.
process.exit()
