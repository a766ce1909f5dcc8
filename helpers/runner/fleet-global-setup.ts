import { forceRehearsal } from '../config/target.ts'
import { say } from '../output/say.ts'
import { fleetDown, fleetUp, runningFleet } from '../rehearsal/fleet-lifecycle.ts'

/**
 * The fleet tests get a fresh simulated fleet (REHEARSAL_ATTACH=1 reuses a
 * running one) and remove it afterwards (REHEARSAL_KEEP=1 keeps it).
 */
export default async function setup(): Promise<() => void> {
  forceRehearsal('the fleet tests')
  if (process.env.REHEARSAL_ATTACH === '1' && runningFleet())
    say('fleet tests: attaching to the running rehearsal fleet')
  else await fleetUp()
  return () => {
    if (process.env.REHEARSAL_KEEP !== '1') fleetDown()
  }
}
