/**
 * Simulated launchctl: the subcommands the runbook and the fleet's runbooks
 * use (list, print, bootstrap, bootout, kickstart), with macOS's output
 * formats and exit codes for the per-user GUI domain.
 */
import { connect } from 'node:net'
import { LAUNCHD_SOCKET, type LaunchdRequest, type LaunchdResponse } from './launchd-protocol.ts'

const uid = process.getuid?.() ?? 0

function domainTarget(spec: string | undefined): { uid: number; label?: string } {
  const m = /^gui\/(\d+)(?:\/(.+))?$/.exec(spec ?? '')
  if (!m) usage(`Unrecognized target specifier: ${spec ?? ''}`)
  const target = Number(m[1])
  if (target !== uid && uid !== 0) {
    process.stderr.write(`Could not find domain for user gui: ${target}\n`)
    process.exit(113)
  }
  return m[2] ? { uid: target, label: m[2] } : { uid: target }
}

function usage(msg: string): never {
  process.stderr.write(`${msg}\nUsage: launchctl <subcommand> ... | help [subcommand]\n`)
  process.exit(64)
}

function request(req: LaunchdRequest): Promise<LaunchdResponse> {
  return new Promise((resolve, reject) => {
    const sock = connect(LAUNCHD_SOCKET)
    let buf = ''
    const timer = setTimeout(
      () => sock.destroy(new Error('launchd did not answer within 30 s')),
      30_000,
    )
    sock.on('data', (d) => (buf += d.toString()))
    sock.on('end', () => {
      clearTimeout(timer)
      resolve(JSON.parse(buf) as LaunchdResponse)
    })
    sock.on('error', reject)
    sock.write(JSON.stringify(req) + '\n')
  })
}

function parse(argv: string[]): LaunchdRequest {
  const [cmd, ...rest] = argv
  switch (cmd) {
    case 'list':
      // A command over SSH runs outside the user's GUI session (reference §4).
      return {
        op: 'list',
        uid,
        session: process.env.SSH_CONNECTION ? 'ssh' : 'gui',
        ...(rest[0] ? { label: rest[0] } : {}),
      }
    case 'print': {
      const t = domainTarget(rest[0])
      if (!t.label) usage('print of a whole domain is not simulated')
      return { op: 'print', uid: t.uid, label: t.label }
    }
    case 'bootstrap': {
      const t = domainTarget(rest[0])
      if (!rest[1]) usage('bootstrap needs a plist path')
      return { op: 'bootstrap', uid: t.uid, path: rest[1] }
    }
    case 'bootout': {
      const t = domainTarget(rest[0])
      return {
        op: 'bootout',
        uid: t.uid,
        ...(t.label ? { label: t.label } : {}),
        ...(rest[1] ? { path: rest[1] } : {}),
      }
    }
    case 'kickstart': {
      const kill = rest.includes('-k')
      const t = domainTarget(rest.filter((a) => !a.startsWith('-'))[0])
      if (!t.label) usage('kickstart needs gui/<uid>/<label>')
      return { op: 'kickstart', uid: t.uid, label: t.label, kill }
    }
    default:
      usage(`Unrecognized subcommand: ${cmd ?? ''}`)
  }
}

try {
  const res = await request(parse(process.argv.slice(2)))
  if (res.stdout) process.stdout.write(res.stdout)
  if (res.stderr) process.stderr.write(res.stderr)
  process.exitCode = res.exitCode
} catch (err) {
  process.stderr.write(`launchctl: cannot reach launchd: ${(err as Error).message}\n`)
  process.exitCode = 1
}
