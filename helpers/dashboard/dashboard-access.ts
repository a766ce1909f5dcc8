import { readFileSync } from 'node:fs'
import type { LookupFunction } from 'node:net'
import { Agent } from 'undici'
import type { Target } from '../config/target.ts'
import { targetAccess } from '../config/target-access.ts'
import { DashboardClient, type ClientOptions } from './client.ts'

/**
 * A resolver that answers one address for every name under `suffix` and
 * refuses every other name, so a target that describes its own network
 * (a rehearsal) is never left for the real one.
 */
export function suffixLookup(suffix: string, address: string): LookupFunction {
  return ((
    hostname: string,
    options: { all?: boolean },
    callback: (...args: unknown[]) => void,
  ) => {
    if (!hostname.endsWith(suffix)) {
      callback(
        Object.assign(new Error(`${hostname} is outside the target's network (*${suffix})`), {
          code: 'ENOTFOUND',
        }),
      )
      return
    }
    // Node 20 asks for every address (autoSelectFamily); older callers for one.
    if (options.all) callback(null, [{ address, family: 4 }])
    else callback(null, address, 4)
  }) as unknown as LookupFunction
}

/**
 * How the suite reaches https://fleet.barta.cm: the same URL on every target
 * (SNI and Host header unchanged). Production uses the network and the
 * system's CAs; a target that describes its HTTPS (a rehearsal: the names
 * resolve to where csb1's TLS front is published) trusts only its own CA.
 */
export function accessOptions(target: Target): ClientOptions {
  const https = targetAccess(target).https
  if (!https) return {}
  const ca = readFileSync(https.caFile, 'utf8')
  const lookup = suffixLookup(https.resolve.suffix, https.resolve.address)
  return {
    dispatcher: new Agent({ connect: { ca, lookup }, keepAliveTimeout: 1000 }),
    ws: { ca, lookup: lookup as never },
  }
}

export function dashboardClient(target: Target, url: string): DashboardClient {
  return new DashboardClient(url, accessOptions(target))
}
