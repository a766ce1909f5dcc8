import { describe, expect, it } from 'vitest'
import { nonLoopbackPorts, publishedPorts } from './published-ports.ts'

const inspect = (
  name: string,
  ports: Record<string, { HostIp: string; HostPort: string }[] | null>,
) => ({
  Name: `/${name}`,
  NetworkSettings: { Ports: ports },
})

describe('published ports of the rehearsal', () => {
  it('accepts ports published on 127.0.0.1', () => {
    const ports = publishedPorts([
      inspect('rehearsal-gateway', {
        '22/tcp': [{ HostIp: '127.0.0.1', HostPort: '22022' }],
        '9418/tcp': [{ HostIp: '127.0.0.1', HostPort: '29418' }],
      }),
      inspect('rehearsal-hsb0', { '22/tcp': null }),
    ])
    expect(ports).toHaveLength(2)
    expect(nonLoopbackPorts(ports)).toEqual([])
  })

  it('names the container and port published on every interface', () => {
    const ports = publishedPorts([
      inspect('rehearsal-csb1', {
        '443/tcp': [
          { HostIp: '0.0.0.0', HostPort: '443' },
          { HostIp: '::', HostPort: '443' },
        ],
      }),
    ])
    expect(nonLoopbackPorts(ports)).toEqual([
      'rehearsal-csb1: 443/tcp is published on 0.0.0.0:443, not 127.0.0.1',
      'rehearsal-csb1: 443/tcp is published on :::443, not 127.0.0.1',
    ])
  })
})
