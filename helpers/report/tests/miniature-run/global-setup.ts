import { openRunSecrets } from '../../../runner/begin-run.ts'
import { startRun } from '../../../transcript/run-folder.ts'

/** What the runbook's global setup does before any worker starts, without a fleet. */
export default function setup(): void {
  openRunSecrets()
  startRun('rehearsal')
}
