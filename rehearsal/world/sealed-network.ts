import { spawnSync } from 'node:child_process'

/**
 * The rehearsal's network has no way out. Docker's `--internal` networks
 * cannot publish ports, and the rehearsal is reached through ports published
 * on 127.0.0.1; so the network keeps its bridge, with a fixed name, and a rule
 * in Docker's DOCKER-USER chain (the chain Docker leaves to the machine's
 * owner) rejects every packet routed from that bridge to anywhere but the
 * bridge itself: a simulated host (or a container of csb1's inner engine)
 * that tries an outside address gets "network unreachable" at once, and
 * nothing leaves this machine. Traffic between the simulated hosts stays on
 * the bridge; the published ports are reached from this machine's loopback.
 */
export const BRIDGE = 'br-runbook'

const RULE = [
  'DOCKER-USER',
  '-i',
  BRIDGE,
  '!',
  '-o',
  BRIDGE,
  '-j',
  'REJECT',
  '--reject-with',
  'icmp-net-unreachable',
]

const iptables = (...args: string[]): { ok: boolean; text: string } => {
  const r = spawnSync('iptables', ['-w', '5', ...args], { encoding: 'utf8', timeout: 20_000 })
  return { ok: r.status === 0, text: (r.stderr || r.stdout || r.error?.message || '').trim() }
}

/** The options of `docker network create` for the rehearsal's network. */
export function sealedNetworkOptions(): string[] {
  return ['-o', `com.docker.network.bridge.name=${BRIDGE}`]
}

/** Puts the rule in place (once); a machine where it cannot be set does not start a rehearsal. */
export function sealNetwork(): void {
  if (iptables('-C', ...RULE).ok) return
  const r = iptables('-I', ...RULE)
  if (!r.ok)
    throw new Error(
      `cannot seal the rehearsal network (iptables -I ${RULE.join(' ')}): ${r.text}; a rehearsal must not reach outside this machine`,
    )
}

/** Whether the rule is in place (for the fleet test). */
export function networkSealed(): boolean {
  return iptables('-C', ...RULE).ok
}

/** Removes the rule (every copy of it). */
export function unsealNetwork(): void {
  for (let i = 0; i < 10 && iptables('-D', ...RULE).ok; i++);
}
