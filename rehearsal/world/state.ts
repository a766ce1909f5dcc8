import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * A rehearsal fleet outlives one Vitest run (phase 1 today, phase 2 later, as
 * in production), so what the suite needs to reach it lives on disk:
 * SSH keys, known_hosts, ssh_config, the operator's nixcfg working copy, the
 * per-rehearsal secrets, and the containers' ids.
 */
export const STATE_DIR =
  process.env.REHEARSAL_STATE_DIR ??
  fileURLToPath(new URL('../../.cache/rehearsal/', import.meta.url))

export const paths = {
  dir: STATE_DIR,
  clientKey: join(STATE_DIR, 'id_ed25519'),
  knownHosts: join(STATE_DIR, 'known_hosts'),
  sshConfig: join(STATE_DIR, 'ssh_config'),
  hostKeys: join(STATE_DIR, 'host-keys'),
  bareRepo: join(STATE_DIR, 'nixcfg.git'),
  worktree: join(STATE_DIR, 'nixcfg'),
  state: join(STATE_DIR, 'state.json'),
  secrets: join(STATE_DIR, 'secrets.json'),
  target: join(STATE_DIR, 'target.json'),
  /** Real nixfleet revision → the fixture commit standing in for it. */
  nixfleetStandIns: join(STATE_DIR, 'nixfleet-stand-ins.json'),
}

export interface RehearsalState {
  startedAt: string
  network: string
  images: Record<string, string>
  containers: Record<string, string> // machine name -> container id
  faults: string[]
  /** What the fleet was started as: 'initial' (before phase 1) or a phase it was brought past. */
  startedAs: string
  /** The snapshot the fleet was started from, if any. */
  snapshot?: string
}

export function readState(): RehearsalState | undefined {
  return existsSync(paths.state)
    ? (JSON.parse(readFileSync(paths.state, 'utf8')) as RehearsalState)
    : undefined
}

export function writeState(s: RehearsalState): void {
  mkdirSync(STATE_DIR, { recursive: true })
  writeFileSync(paths.state, JSON.stringify(s, null, 2) + '\n')
}
