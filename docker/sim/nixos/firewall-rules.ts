import type { Firewall } from '../lib/evaluate.ts'

/** The file of a system generation that holds its firewall (JSON, from the evaluation). */
export const FIREWALL_FILE = 'firewall.json'
export const CHAIN = 'nixos-fw'

/**
 * The iptables commands that put a configuration's firewall in place, in
 * order (each an argument list for `iptables -w`). Modelled on NixOS's
 * nixos-fw chain: loopback, answers to our own connections and ICMP pass;
 * the allowed TCP ports pass; any other TCP connection is refused with a
 * reset (csb1's SSH was "connection refused" after its reboot, reference §3),
 * anything else is dropped. A disabled firewall removes the chain's rules.
 */
export function firewallCommands(fw: Firewall | null): string[][] {
  const reset = [
    ['-D', 'INPUT', '-j', CHAIN],
    ['-F', CHAIN],
    ['-X', CHAIN],
  ]
  if (!fw?.enable) return reset
  return [
    ...reset,
    ['-N', CHAIN],
    ['-A', CHAIN, '-i', 'lo', '-j', 'ACCEPT'],
    ['-A', CHAIN, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT'],
    ['-A', CHAIN, '-p', 'icmp', '-j', 'ACCEPT'],
    ...fw.tcp.map((p) => ['-A', CHAIN, '-p', 'tcp', '--dport', String(p), '-j', 'ACCEPT']),
    ...fw.ranges.map((r) => [
      '-A',
      CHAIN,
      '-p',
      'tcp',
      '--dport',
      `${r.from}:${r.to}`,
      '-j',
      'ACCEPT',
    ]),
    ['-A', CHAIN, '-p', 'tcp', '-j', 'REJECT', '--reject-with', 'tcp-reset'],
    ['-A', CHAIN, '-j', 'DROP'],
    ['-I', 'INPUT', '1', '-j', CHAIN],
  ]
}
