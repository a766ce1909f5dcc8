import { describe, expect, it } from 'vitest'
import { simulated } from './world-hosts.ts'

/** The fleet user's login shell is fish, as on the real hosts (reference §4). */
describe('the simulated hosts’ login shell', () => {
  it.each(['hsb0', 'csb1', 'mba-mbp-work'])(
    '%s: the login shell is fish, and the runbook’s POSIX command still runs whole',
    async (name) => {
      const { host } = simulated(name)
      try {
        const out = await host.succeed(`echo "$SHELL"; echo "$$"; [ -n "$HOME" ] && echo posix-ok`)
        expect(out).toMatch(/^\/usr\/bin\/fish\n\d+\nposix-ok\n$/)
      } finally {
        await host.close()
      }
    },
  )
})
