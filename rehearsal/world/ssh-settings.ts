import type { SshSettings } from '../../helpers/fleet/fleet.ts'
import { paths } from './state.ts'

/** The SSH files a run uses to reach the simulated fleet (the production run uses ~/.ssh). */
export function rehearsalSshSettings(): Required<SshSettings> {
  return { configFile: paths.sshConfig, knownHostsFiles: [paths.knownHosts] }
}
