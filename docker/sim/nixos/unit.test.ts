import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { Evaluation } from '../lib/evaluate.ts'
import { renderAgentPlist } from '../macos/agent-plist.ts'
import { changedUnitAction, renderAgentUnit } from './unit.ts'

const REVS = fileURLToPath(new URL('../../nixfleet-revs.json', import.meta.url))
const at = (revision: string, interval = 30): Evaluation => ({
  moduleVersion: 'v2',
  revision,
  files: [],
  firewall: null,
  agent: {
    enable: true,
    url: 'wss://fleet.barta.cm/ws',
    user: 'mba',
    tokenFile: '/run/agenix/nixfleet-token',
    interval,
    logLevel: 'info',
    repoUrl: 'https://github.com/markus-barta/nixcfg.git',
    branch: 'main',
    configRepo: '/home/mba/Code/nixcfg',
  },
})
const DAY = '3999ab9856de35c21b00de9891ea44912c00e502'
const FIXED_NIXOS = '393dc408c290df03e178b86245f151f56aac2c3e'

describe('a switch that changes the agent’s own unit (NixOS, 393dc40)', () => {
  it('before 393dc40 the changed unit is stopped before activation: a switch the agent runs is stopped with it', () => {
    const prev = renderAgentUnit(at(DAY, 10), REVS)
    const next = renderAgentUnit(at(DAY), REVS)!
    expect(next).not.toMatch(/X-RestartIfChanged/)
    expect(changedUnitAction(prev, next)).toBe('stop-start')
  })

  it('from 393dc40 the unit is not stopped or restarted by a switch (picked up at the next start)', () => {
    const next = renderAgentUnit(at(FIXED_NIXOS), REVS)!
    expect(next).toMatch(/^X-RestartIfChanged=false$/m)
    expect(next).toMatch(/^X-StopIfChanged=false$/m)
    expect(changedUnitAction('old unit', next)).toBe('skip')
    expect(changedUnitAction(undefined, next)).toBe('start')
  })
})

describe('the Mac’s launcher and /health (3999ab9)', () => {
  it('from 3999ab9 the job waits up to 60 s for the dashboard’s /health, then starts anyway', () => {
    const plist = renderAgentPlist(at(DAY), '/Users/mba', REVS)!
    expect(plist).toContain('https://fleet.barta.cm/health')
    expect(plist).toContain('starting the agent anyway')
  })

  it('before 3999ab9 it does not wait', () => {
    const plist = renderAgentPlist(
      at('40a6392c56e5d51176692385132e560339e9859f'),
      '/Users/mba',
      REVS,
    )!
    expect(plist).not.toContain('/health')
  })
})
