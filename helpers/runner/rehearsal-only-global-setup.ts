import { forceRehearsal } from '../config/target.ts'

/**
 * The unit tests never act on a fleet, but they start processes and read the
 * environment: a production target exported in the shell is refused, and
 * the rehearsal target pinned for everything they start.
 */
export default function setup(): void {
  forceRehearsal('the unit tests')
}
