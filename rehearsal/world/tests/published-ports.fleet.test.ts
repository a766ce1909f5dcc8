import { describe, expect, it } from 'vitest'
import { LABEL } from '../fleet-lifecycle.ts'
import { nonLoopbackPorts, rehearsalPorts } from '../published-ports.ts'

/** Test traffic stays on this machine: nothing of the rehearsal is reachable from the network. */
describe('the rehearsal fleet on the network', () => {
  it('publishes its ports (gateway sshd, git server, TLS front) on 127.0.0.1 only', () => {
    const ports = rehearsalPorts(LABEL)
    expect(ports.map((p) => p.port).sort()).toEqual(['22/tcp', '443/tcp', '9418/tcp'])
    const exposed = nonLoopbackPorts(ports)
    expect(exposed, exposed.join('\n')).toEqual([])
  })
})
