import { describe, expect, it } from 'vitest'
import { configuredValue } from './agent-version.ts'
import { pullProblems, type PullEvidence } from './pull-probe.ts'

const PROBE = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
const DAY_PIN = '3999ab9856de35c21b00de9891ea44912c00e502'
const evidence = (over: Partial<PullEvidence> = {}): PullEvidence => ({
  host: 'gpc0',
  run: {
    host: 'gpc0',
    command: 'pull',
    httpStatus: 200,
    lines: ['From git://…', ' * branch main -> FETCH_HEAD'],
    exitCode: 0,
    status: 'ok',
    message: '',
  },
  probe: PROBE,
  head: PROBE,
  generation: PROBE.slice(0, 7),
  agentRevision: 'e5798044ddd69d2782a9a55d8c59910cc736710a',
  ...over,
})

describe('a pull proves itself by moving an existing checkout', () => {
  it('passes when the checkout and the reported generation are the pushed commit', () => {
    expect(pullProblems(evidence())).toEqual([])
  })

  it('a pull that only fetches (exit 0, checkout left behind) fails, naming host and agent revision', () => {
    const old = '0123456789abcdef0123456789abcdef01234567'
    expect(
      pullProblems(evidence({ head: old, generation: old.slice(0, 7), agentRevision: DAY_PIN })),
    ).toEqual([
      `gpc0: pull exited 0 but the agent's checkout is at 0123456789ab, not the pushed a1b2c3d (agent built from nixfleet ${DAY_PIN}: a pull that only fetches never moves it)`,
      `gpc0: after the pull the dashboard reports generation 0123456, not the pushed a1b2c3d (agent built from nixfleet ${DAY_PIN})`,
    ])
  })

  it('a failed pull says how it ended and what it printed', () => {
    const [p] = pullProblems(
      evidence({
        run: {
          ...evidence().run,
          exitCode: 128,
          status: 'error',
          message: 'command failed',
          lines: [
            "fatal: cannot change to '/var/lib/nixfleet-agent/repo': No such file or directory",
          ],
        },
        agentRevision: DAY_PIN,
      }),
    )
    expect(p).toMatch(
      /^gpc0: pull ended error \(exit 128\) command failed: fatal: cannot change to .* \(agent built from nixfleet 3999ab9856de/,
    )
  })

  it('reads NIXFLEET_REPO_DIR from a unit’s environment and from a plist’s wrapper', () => {
    expect(
      configuredValue(
        'NIXFLEET_URL=wss://fleet.barta.cm/ws NIXFLEET_REPO_DIR=/var/lib/nixfleet-agent/repo HOME=/home/mba',
        'NIXFLEET_REPO_DIR',
      ),
    ).toBe('/var/lib/nixfleet-agent/repo')
    expect(
      configuredValue(
        'export NIXFLEET_REPO_DIR=&quot;$HOME/.local/state/nixfleet-agent/repo&quot;',
        'NIXFLEET_REPO_DIR',
      ),
    ).toBe('$HOME/.local/state/nixfleet-agent/repo')
  })
})
