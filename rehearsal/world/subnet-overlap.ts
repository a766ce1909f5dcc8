import { BlockList } from 'node:net'

/** One Docker network's IPv4 subnet, as `docker network inspect` reports it. */
export interface NamedSubnet {
  name: string
  subnet: string
}

const parse = (cidr: string): { address: string; prefix: number } => {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr.trim())
  if (!m) throw new Error(`not an IPv4 subnet: "${cidr}"`)
  return { address: m[1]!, prefix: Number(m[2]) }
}

const contains = (outer: string, address: string): boolean => {
  const { address: net, prefix } = parse(outer)
  const list = new BlockList()
  list.addSubnet(net, prefix, 'ipv4')
  return list.check(address, 'ipv4')
}

/** Two subnets overlap when either holds the other's first address. */
export function subnetsOverlap(a: string, b: string): boolean {
  return contains(a, parse(b).address) || contains(b, parse(a).address)
}

/**
 * The networks of csb1's own engine that overlap the rehearsal network. One
 * that does takes the route back to the machine running the rehearsal away
 * from csb1's eth0: csb1's published front then resets every connection from
 * outside while it still answers inside csb1.
 */
export function overlapping(outer: NamedSubnet, inner: NamedSubnet[]): string[] {
  return inner
    .filter((n) => subnetsOverlap(outer.subnet, n.subnet))
    .map(
      (n) =>
        `csb1's Docker network ${n.name} (${n.subnet}) overlaps the rehearsal network ${outer.name} (${outer.subnet})`,
    )
}
