import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { paths } from './state.ts'

/**
 * A certificate authority made for each rehearsal, and one certificate for
 * every name csb1's front serves. Hosts and the suite trust this CA; nothing
 * else does.
 */
export interface RehearsalTls {
  caCert: string
  cert: string
  key: string
}

export function ensureTls(names: string[]): RehearsalTls {
  const dir = join(paths.dir, 'tls')
  mkdirSync(dir, { recursive: true })
  const f = (n: string): string => join(dir, n)
  const openssl = (...args: string[]): void =>
    void execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] })
  if (!existsSync(f('ca.crt'))) {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '30',
      '-subj',
      '/CN=NixFleet rehearsal CA',
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
    )
  }
  const wanted = names.join(',')
  if (!existsSync(f('tls.crt')) || readFileSync(f('names'), 'utf8') !== wanted) {
    writeFileSync(
      f('ext.cnf'),
      `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\n`,
    )
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      `/CN=${names[0] ?? 'localhost'}`,
      '-keyout',
      f('tls.key'),
      '-out',
      f('tls.csr'),
    )
    openssl(
      'x509',
      '-req',
      '-in',
      f('tls.csr'),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '30',
      '-extfile',
      f('ext.cnf'),
      '-out',
      f('tls.crt'),
    )
    writeFileSync(f('names'), wanted)
  }
  return {
    caCert: readFileSync(f('ca.crt'), 'utf8'),
    cert: readFileSync(f('tls.crt'), 'utf8'),
    key: readFileSync(f('tls.key'), 'utf8'),
  }
}
