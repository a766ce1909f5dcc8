import { describe, expect, it } from 'vitest'
import { overlapping, subnetsOverlap } from './subnet-overlap.ts'

describe('subnet overlap between the rehearsal network and csb1’s engine', () => {
  it('finds equal, nested and disjoint subnets', () => {
    expect(subnetsOverlap('172.18.0.0/16', '172.18.0.0/16')).toBe(true)
    expect(subnetsOverlap('172.18.0.0/16', '172.18.5.0/24')).toBe(true)
    expect(subnetsOverlap('172.18.5.0/24', '172.16.0.0/12')).toBe(true)
    expect(subnetsOverlap('172.18.0.0/16', '10.213.255.0/24')).toBe(false)
    expect(subnetsOverlap('10.213.0.0/24', '10.213.1.0/24')).toBe(false)
  })

  it('names the inner network that collides (as on a fresh engine: docker0 got 172.18 in the seed)', () => {
    const outer = { name: 'rehearsal', subnet: '172.18.0.0/16' }
    expect(
      overlapping(outer, [
        { name: 'bridge', subnet: '172.18.0.0/16' },
        { name: 'docker_default', subnet: '10.213.0.0/24' },
      ]),
    ).toEqual([
      "csb1's Docker network bridge (172.18.0.0/16) overlaps the rehearsal network rehearsal (172.18.0.0/16)",
    ])
  })

  it('refuses what is not an IPv4 subnet, quoting it', () => {
    expect(() => subnetsOverlap('fd00::/64', '10.0.0.0/8')).toThrow(
      'not an IPv4 subnet: "fd00::/64"',
    )
  })
})
