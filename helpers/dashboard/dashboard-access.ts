import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LookupFunction } from 'node:net'
import { Agent } from 'undici'
import type { Target } from '../config/target.ts'
import { paths } from '../rehearsal/state.ts'
import { DashboardClient, type ClientOptions } from './client.ts'

/**
 * How the suite reaches https://fleet.barta.cm. In production: the network,
 * the system's CAs. In rehearsal: the same URL (SNI and Host header
 * unchanged), but the barta.cm names resolve to 127.0.0.1, where csb1's TLS
 * front is published, and only the rehearsal's own CA is trusted.
 */
export function rehearsalLookup(): LookupFunction {
  return ((
    hostname: string,
    options: { all?: boolean },
    callback: (...args: unknown[]) => void,
  ) => {
    if (!hostname.endsWith('.barta.cm')) {
      callback(
        Object.assign(new Error(`rehearsal: ${hostname} is outside the simulated network`), {
          code: 'ENOTFOUND',
        }),
      )
      return
    }
    // Node 20 asks for every address (autoSelectFamily); older callers for one.
    if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }])
    else callback(null, '127.0.0.1', 4)
  }) as unknown as LookupFunction
}

export function accessOptions(target: Target): ClientOptions {
  if (target === 'production') return {}
  const ca = readFileSync(join(paths.dir, 'tls', 'ca.crt'), 'utf8')
  const lookup = rehearsalLookup()
  return {
    dispatcher: new Agent({ connect: { ca, lookup }, keepAliveTimeout: 1000 }),
    ws: { ca, lookup: lookup as never },
  }
}

export function dashboardClient(target: Target, url: string): DashboardClient {
  return new DashboardClient(url, accessOptions(target))
}
