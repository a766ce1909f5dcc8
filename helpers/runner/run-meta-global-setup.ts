import { beginRunMeta } from '../report/run-meta.ts'
import { runFolder } from '../transcript/run-folder.ts'

/**
 * Runs last of the runbook's global setups, when the target is ready (a
 * rehearsal has described itself): records who runs what, where, and the
 * nixcfg working copy's commit before the run, for the sign-off.
 */
export default function setup(): void {
  const folder = runFolder()
  beginRunMeta(folder, folder.split('/').pop() ?? '')
}
