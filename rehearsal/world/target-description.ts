import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  TARGET_FILE_VARIABLE,
  type RehearsalDescription,
} from '../../helpers/config/target-access.ts'
import { rehearsalSshSettings } from './ssh-settings.ts'
import { paths } from './state.ts'

const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url))
const EVALUATE_CLI = fileURLToPath(new URL('../../docker/sim/lib/evaluate-cli.ts', import.meta.url))
const PERSON_CLI = fileURLToPath(new URL('./person.ts', import.meta.url))
/**
 * A simulated person acts within seconds (restart, unlock screen, log in: about
 * 15 s under a loaded fault-matrix run); the deadline leaves a Mac's reboot four
 * times that to spare. A fault where nobody logs in waits all of it.
 */
const PERSON_DEADLINE_MS = 60_000

/**
 * How the runbook reaches this rehearsal, written where the product reads a
 * target's description (REHEARSAL_TARGET_FILE): the generated ssh_config and
 * known_hosts, csb1's TLS front published on 127.0.0.1 for the *.barta.cm
 * names with only the rehearsal's CA trusted, the operator's working copy
 * cloned from the simulated nixcfg, and flake.lock pinned by rewriting it
 * (the sealed world cannot reach GitHub). Sets the variable for this process
 * and everything it starts.
 */
export function describeRehearsalTarget(env: NodeJS.ProcessEnv = process.env): string {
  const description: RehearsalDescription = {
    ssh: rehearsalSshSettings(),
    https: {
      caFile: join(paths.dir, 'tls', 'ca.crt'),
      resolve: { suffix: '.barta.cm', address: '127.0.0.1' },
    },
    worktree: paths.worktree,
    flakePin: 'rewrite-lock',
    // The simulated hosts' own evaluator, run here: the sealed world has no nixpkgs to `nix eval`.
    evaluate: { command: [TSX, EVALUATE_CLI] },
    ledger: join(paths.dir, 'ledger.jsonl'),
    person: { by: 'simulated', command: [TSX, PERSON_CLI], deadlineMs: PERSON_DEADLINE_MS },
    // The fixture commit for each real nixfleet revision (written with the nixfleet remote).
    nixfleetStandIns: paths.nixfleetStandIns,
  }
  mkdirSync(paths.dir, { recursive: true })
  writeFileSync(paths.target, JSON.stringify(description, null, 2) + '\n')
  env[TARGET_FILE_VARIABLE] = paths.target
  return paths.target
}
