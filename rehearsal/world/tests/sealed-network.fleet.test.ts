import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { Host } from '../../../helpers/hosts/host.ts'
import { SshTransport } from '../../../helpers/ssh/ssh-transport.ts'
import { LABEL } from '../fleet-lifecycle.ts'
import { networkSealed } from '../sealed-network.ts'
import { loadWorld, machines } from '../world.ts'
import { paths } from '../state.ts'
import { simulated } from './world-hosts.ts'

// Addresses that are outside the rehearsal. 192.0.2.0/24 (TEST-NET-1) and .invalid
// are reserved for documentation: even a broken seal would reach no one's machine.
const OUTSIDE_IP = '192.0.2.10'
const OUTSIDE_NAME = 'fleet.example.invalid'

/** A host reached like the runbook reaches any inventory target: through the rehearsal's jump host. */
function throughTheJump(target: string): Host {
  return new Host(
    target,
    new SshTransport({
      hostName: target,
      target,
      configFile: paths.sshConfig,
      knownHostsFiles: [paths.knownHosts],
      unknownHostKey: 'refuse',
      agentSocket: undefined,
      connectTimeoutMs: 10_000,
    }),
  )
}

describe('nothing in a rehearsal leaves it', () => {
  it('every machine is on the rehearsal network only (no second interface on Docker’s default bridge)', () => {
    const ids = execFileSync('docker', ['ps', '-q', '--filter', `label=${LABEL}`], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean)
    expect(ids.length).toBe(machines(loadWorld()).length + 1)
    const networks = execFileSync(
      'docker',
      [
        'inspect',
        '--format',
        '{{.Name}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}},{{end}}',
        ...ids,
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n')
    const world = loadWorld()
    const elsewhere = networks.filter((l) => !l.endsWith(` ${world.network},`))
    expect(elsewhere, elsewhere.join('\n')).toEqual([])
  })

  it.each([OUTSIDE_IP, OUTSIDE_NAME])(
    'an SSH target outside the simulated hosts (%s) is refused by the jump host, named',
    async (outside) => {
      const h = throughTheJump(`mba@${outside}`)
      try {
        await expect(h.run('true', { timeout: '20s' })).rejects.toThrow(
          new RegExp(
            `jump host rehearsal-gateway cannot reach ${outside.replace(/\./g, '\\.')}:22: .*administratively prohibited`,
          ),
        )
      } finally {
        await h.close()
      }
    },
  )

  it('a simulated host that tries an outside address is refused at once: no route out', async () => {
    expect(networkSealed(), 'the rule that seals the rehearsal network is in place').toBe(true)
    const { host } = simulated('hsb0')
    try {
      const started = Date.now()
      const r = await host.run(`timeout 10 bash -c 'exec 3<>/dev/tcp/${OUTSIDE_IP}/443' 2>&1`, {
        timeout: '20s',
      })
      expect(r.exitCode).not.toBe(0)
      expect(r.stdout).toMatch(/unreachable/i)
      // Refused by the seal, not left to time out somewhere outside.
      expect(Date.now() - started).toBeLessThan(5000)
    } finally {
      await host.close()
    }
  })
})
