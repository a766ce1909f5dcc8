import { readFileSync } from 'node:fs'

/**
 * What the simulated NixFleet does at each real revision it models. The
 * revisions file (`docker/nixfleet-revs.json`) lists them oldest first, as
 * they follow each other on nixfleet's main branch; a behaviour fixed at a
 * commit holds for that commit and every later one (reference §2). Each fix
 * names the commit and the path it was read from.
 */
export const FIXES = {
  /** v2/internal/dashboard/hub.go: hosts saved on register; before, `/api/hosts` is `{"hosts":null}`. */
  storesHosts: '2dc955d87fa5a48e817784a382a0db0100b45eb5',
  /** modules/home-manager.nix: the macOS launcher waits until `<url>/health` answers. */
  macWaitsForHealth: '3999ab9856de35c21b00de9891ea44912c00e502',
  /** v2/internal/dashboard/handlers.go, server.go: `/health` exists (before: 404). */
  healthEndpoint: '6933b5f0147eb12adc0189afb7719b45593b5831',
  /** v2/internal/dashboard/hub.go: a disconnected host is marked offline. */
  offlineOnDisconnect: '29f2b4e528f19992d149908b936fbeec3aaded64',
  /** v2/internal/dashboard/hub.go: the deadlock introduced with offline marking, gone. */
  hubDeadlockFixed: 'de150459032f0bde753f0c0f2fa3f4e35b06fbfe',
  /** v2/internal/config/config.go: hostname from LocalHostName on macOS, `.local`/`.lan` stripped. */
  hostnameFromLocalHostName: '7377787f83b8da05dc1473a421a2574c8296d832',
  /** modules/nixos.nix: the unit is not stopped by the switch the agent runs itself. */
  nixosSwitchSurvives: '393dc408c290df03e178b86245f151f56aac2c3e',
  /** v2/internal/agent/commands.go (Setsid): a macOS switch survives the agent's own restart. */
  macSwitchSurvives: 'ace61cb85f06bc8fc437b0a1b993778229fcce18',
  /** v2/internal/agent/commands.go, repo.go, agent.go: isolated pull = fetch, reset --hard, clean -fd; clone at start. */
  pullMovesCheckout: 'e5798044ddd69d2782a9a55d8c59910cc736710a',
} as const

export type Behaviour = { revision: string; version: 'v1' | 'v2' } & Record<
  keyof typeof FIXES,
  boolean
>

const FULL_HASH = /^[0-9a-f]{40}$/

/** The modelled revisions, oldest first, with the agent module's version at each. */
export function readRevisions(file: string): [string, 'v1' | 'v2'][] {
  return Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, 'v1' | 'v2'>)
}

/** The behaviour at `revision`; a shortened or unknown revision is refused, named. */
export function behaviourAt(revision: string, history: [string, 'v1' | 'v2'][]): Behaviour {
  if (!FULL_HASH.test(revision))
    throw new Error(
      `nixfleet revision "${revision}" is not a full 40-character commit id: the simulation models real revisions only`,
    )
  const at = history.findIndex(([r]) => r === revision)
  if (at < 0)
    throw new Error(
      `nixfleet revision ${revision} is not one this simulation models (${history.length} real revisions are)`,
    )
  const since = (fix: string): boolean => {
    const i = history.findIndex(([r]) => r === fix)
    if (i < 0) throw new Error(`the revisions file lacks the fix ${fix}`)
    return at >= i
  }
  const b = Object.fromEntries(Object.entries(FIXES).map(([k, fix]) => [k, since(fix)])) as Record<
    keyof typeof FIXES,
    boolean
  >
  return { revision, version: history[at]![1], ...b }
}

/** Whether the hub deadlocks after a disconnect (from 29f2b4e until de15045). */
export const hubDeadlocks = (b: Behaviour): boolean => b.offlineOnDisconnect && !b.hubDeadlockFixed

/** The first revision with every fix (e5798044, reference §1): what a simulation without a pin runs. */
export const ALL_FIXED: Behaviour = {
  revision: FIXES.pullMovesCheckout,
  version: 'v2',
  ...(Object.fromEntries(Object.keys(FIXES).map((k) => [k, true])) as Record<
    keyof typeof FIXES,
    boolean
  >),
}
