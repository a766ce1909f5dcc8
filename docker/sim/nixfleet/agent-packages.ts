/**
 * Installs, at image build time, the simulated store's v2 agent packages:
 * one per modelled v2 revision, each a launcher of the simulated agent with
 * its revision baked in (NIXFLEET_AGENT_REVISION), at the store path the
 * module's unit or job names for that revision (agentBinary).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SIM_DIR } from '../lib/evaluate.ts'
import { v2AgentPackage } from '../lib/agent-env.ts'
import { readRevisions } from './revisions.ts'

for (const [revision, version] of readRevisions(join(SIM_DIR, 'nixfleet-revs.json'))) {
  if (version !== 'v2') continue
  const bin = join(v2AgentPackage(revision), 'bin')
  mkdirSync(bin, { recursive: true })
  writeFileSync(
    join(bin, 'nixfleet-agent'),
    [
      '#!/bin/sh',
      '/usr/local/bin/runbook-fault-gate || exit 1',
      `NIXFLEET_AGENT_REVISION=${revision} NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt exec /usr/local/bin/node ${SIM_DIR}/agent-v2.mjs`,
      '',
    ].join('\n'),
  )
  chmodSync(join(bin, 'nixfleet-agent'), 0o755)
}
