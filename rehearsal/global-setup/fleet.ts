import { forceRehearsal } from '../../helpers/config/target.ts'
import { say } from '../../helpers/output/say.ts'
import { fleetDown, fleetUp, runningFleet } from '../world/fleet-lifecycle.ts'
import { describeRehearsalTarget } from '../world/target-description.ts'

/**
 * The fleet tests get a fresh simulated fleet (REHEARSAL_ATTACH=1 reuses a
 * running one) and remove it afterwards (REHEARSAL_KEEP=1 keeps it).
 */
export default async function setup(): Promise<() => void> {
  forceRehearsal('the fleet tests')
  describeRehearsalTarget()
  if (process.env.REHEARSAL_ATTACH === '1' && runningFleet())
    say('fleet tests: attaching to the running rehearsal fleet')
  else await fleetUp()
  return () => {
    if (process.env.REHEARSAL_KEEP !== '1') fleetDown()
  }
}
