import { perHost } from '../flow/per-host.ts'

/** How one host is looked at: still online in the dashboard, and the agent it runs. */
export interface HostLook {
  /** Resolves once the dashboard lists the host online; rejects with why it does not. */
  online(host: string): Promise<unknown>
  /** The agent the host runs; undefined for a host this run cannot reach (not in the inventory). */
  agent(host: string): Promise<{ kind: string; detail: string } | undefined>
}

/**
 * The rollback's "other hosts are unaffected": every host that was online
 * before it is still online and still runs v2. All hosts are looked at
 * together (each with the deadline `online` gives it); the problems come back
 * in the hosts' order, each naming its host, and an error on one host (SSH
 * refused, say) is that host's problem, not the end of the check.
 */
export async function othersUnaffected(
  hosts: readonly string[],
  look: HostLook,
): Promise<string[]> {
  const outcomes = await perHost(hosts, hosts.length, async (h) => {
    await look.online(h).catch((err: unknown) => {
      throw new Error(`no longer online in the dashboard: ${(err as Error).message}`)
    })
    const agent = await look.agent(h)
    if (agent && agent.kind !== 'v2') throw new Error(`agent ${agent.kind}: ${agent.detail}`)
  })
  return hosts.flatMap((h) => {
    const o = outcomes.get(h)
    return o && !o.ok ? [`${h}: ${o.error.message}`] : []
  })
}
