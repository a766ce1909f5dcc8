/**
 * Simulated launchd for the rehearsal's macOS hosts (runs as a systemd
 * service). Per-user LaunchAgents are loaded at boot as at login (RunAtLoad),
 * kept alive (KeepAlive, 10 s throttle as launchd does), and their stdout and
 * stderr appended to StandardOutPath / StandardErrorPath. launchctl talks to
 * it over a Unix socket.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import plist from 'plist'
import { LAUNCHD_SOCKET, type LaunchdRequest, type LaunchdResponse } from './launchd-protocol.ts'

interface Job {
  label: string
  uid: number
  gid: number
  home: string
  user: string
  path: string
  args: string[]
  env: Record<string, string>
  stdout?: string
  stderr?: string
  keepAlive: boolean
  child?: ChildProcess
  lastExit: number
  loaded: boolean
  restartTimer?: NodeJS.Timeout
}

const jobs = new Map<string, Job>() // `${uid}/${label}`
const THROTTLE_MS = 10_000
const log = (m: string): void => void process.stderr.write(`launchd: ${m}\n`)

function userOf(uid: number): { user: string; home: string; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':')
    if (Number(f[2]) === uid)
      return { user: f[0] as string, gid: Number(f[3]), home: f[5] as string }
  }
  return undefined
}

function loadPlist(uid: number, path: string): Job {
  const u = userOf(uid)
  if (!u) throw Object.assign(new Error(`no user with uid ${uid}`), { code: 3 })
  const p = plist.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
  const label = p.Label as string
  const args =
    (p.ProgramArguments as string[] | undefined) ?? (p.Program ? [p.Program as string] : [])
  if (!label || args.length === 0) throw Object.assign(new Error('invalid plist'), { code: 22 })
  return {
    label,
    uid,
    gid: u.gid,
    home: u.home,
    user: u.user,
    path,
    args,
    env: (p.EnvironmentVariables as Record<string, string> | undefined) ?? {},
    ...(p.StandardOutPath ? { stdout: p.StandardOutPath as string } : {}),
    ...(p.StandardErrorPath ? { stderr: p.StandardErrorPath as string } : {}),
    keepAlive: p.KeepAlive === true || (typeof p.KeepAlive === 'object' && p.KeepAlive !== null),
    lastExit: 0,
    loaded: true,
  }
}

function openLog(file: string | undefined, uid: number, gid: number): number | 'ignore' {
  if (!file) return 'ignore'
  const fd = openSync(file, 'a', 0o644)
  // On macOS the user's job creates these files; keep them owned by that user.
  if (statSync(file).uid !== uid) chownSync(file, uid, gid)
  return fd
}

function start(job: Job): void {
  if (job.child || !job.loaded) return
  const out = openLog(job.stdout, job.uid, job.gid)
  const err = openLog(job.stderr, job.uid, job.gid)
  const child = spawn(job.args[0] as string, job.args.slice(1), {
    uid: job.uid,
    gid: job.gid,
    cwd: '/',
    env: {
      PATH: '/usr/bin:/bin:/usr/sbin:/sbin',
      HOME: job.home,
      USER: job.user,
      LOGNAME: job.user,
      ...job.env,
    },
    stdio: ['ignore', out, err],
    detached: true,
  })
  for (const fd of [out, err]) if (typeof fd === 'number') closeSync(fd)
  job.child = child
  child.on('error', (e) => log(`${job.label}: spawn failed: ${e.message}`))
  child.on('exit', (code, signal) => {
    job.child = undefined
    job.lastExit = code ?? (signal ? -Number(signalNo(signal)) : 0)
    if (job.loaded && job.keepAlive) {
      job.restartTimer = setTimeout(() => start(job), THROTTLE_MS)
    }
  })
}

function signalNo(s: string): number {
  return ({ SIGTERM: 15, SIGKILL: 9, SIGINT: 2, SIGHUP: 1 } as Record<string, number>)[s] ?? 0
}

function stop(job: Job): Promise<void> {
  clearTimeout(job.restartTimer)
  const child = job.child
  if (!child?.pid) return Promise.resolve()
  return new Promise((resolve) => {
    const kill = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(kill)
      resolve()
    })
    try {
      process.kill(-child.pid!, 'SIGTERM')
    } catch {
      resolve()
    }
  })
}

const NOT_FOUND = (label: string, uid: number): LaunchdResponse => ({
  exitCode: 113,
  stderr: `Could not find service "${label}" in domain for user gui: ${uid}\n`,
})

async function handle(req: LaunchdRequest): Promise<LaunchdResponse> {
  switch (req.op) {
    case 'list': {
      // Every job here was bootstrapped into gui/<uid>: an SSH session's domain has none of them.
      const mine = [...jobs.values()].filter((j) => j.uid === req.uid && req.session === 'gui')
      if (req.label) {
        const j = mine.find((x) => x.label === req.label)
        if (!j)
          return {
            exitCode: 113,
            stderr: `Could not find service "${req.label}" in domain for port\n`,
          }
        return {
          exitCode: 0,
          stdout: `{\n\t"LimitLoadToSessionType" = "Aqua";\n\t"Label" = "${j.label}";\n\t"OnDemand" = false;\n\t"LastExitStatus" = ${j.lastExit};\n${j.child?.pid ? `\t"PID" = ${j.child.pid};\n` : ''}\t"Program" = "${j.args[0]}";\n};\n`,
        }
      }
      const apple = [
        '-\t0\tcom.apple.SafariHistoryServiceAgent',
        '-\t0\tcom.apple.cloudphotod',
        '412\t0\tcom.apple.Finder',
      ]
      const rows = mine.map((j) => `${j.child?.pid ?? '-'}\t${j.lastExit}\t${j.label}`)
      return { exitCode: 0, stdout: ['PID\tStatus\tLabel', ...apple, ...rows].join('\n') + '\n' }
    }
    case 'print': {
      const j = jobs.get(`${req.uid}/${req.label}`)
      if (!j) return NOT_FOUND(req.label, req.uid)
      return {
        exitCode: 0,
        stdout: `gui/${req.uid}/${j.label} = {\n\tactive count = ${j.child ? 1 : 0}\n\tpath = ${j.path}\n\tstate = ${j.child ? 'running' : 'not running'}\n\n\tprogram = ${j.args[0]}\n\tstdout path = ${j.stdout ?? '(null)'}\n\tstderr path = ${j.stderr ?? '(null)'}\n${j.child?.pid ? `\tpid = ${j.child.pid}\n` : ''}\tlast exit code = ${j.lastExit}\n}\n`,
      }
    }
    case 'bootstrap': {
      if (!existsSync(req.path))
        return { exitCode: 2, stderr: `Bootstrap failed: 2: No such file or directory\n` }
      let job: Job
      try {
        job = loadPlist(req.uid, req.path)
      } catch (e) {
        return {
          exitCode: (e as { code?: number }).code ?? 22,
          stderr: `Bootstrap failed: ${(e as { code?: number }).code ?? 22}: Invalid argument\n`,
        }
      }
      const key = `${req.uid}/${job.label}`
      if (jobs.has(key)) return { exitCode: 5, stderr: 'Bootstrap failed: 5: Input/output error\n' }
      jobs.set(key, job)
      start(job)
      return { exitCode: 0 }
    }
    case 'bootout': {
      let label = req.label
      if (!label && req.path)
        label = [...jobs.values()].find((j) => j.uid === req.uid && j.path === req.path)?.label
      const j = label ? jobs.get(`${req.uid}/${label}`) : undefined
      if (!j) return { exitCode: 3, stderr: 'Boot-out failed: 3: No such process\n' }
      j.loaded = false
      await stop(j)
      jobs.delete(`${req.uid}/${j.label}`)
      return { exitCode: 0 }
    }
    case 'kickstart': {
      const j = jobs.get(`${req.uid}/${req.label}`)
      if (!j) return NOT_FOUND(req.label, req.uid)
      if (j.child && req.kill) {
        j.loaded = false
        await stop(j)
        j.loaded = true
      }
      start(j)
      return { exitCode: 0 }
    }
  }
}

/** At boot, as at login: every user's LaunchAgents are loaded. */
function loadAtLogin(): void {
  if (!existsSync('/Users')) return
  for (const user of readdirSync('/Users')) {
    const dir = join('/Users', user, 'Library', 'LaunchAgents')
    if (!existsSync(dir)) continue
    const uid = statSync(join('/Users', user)).uid
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.plist'))) {
      try {
        const job = loadPlist(uid, join(dir, f))
        jobs.set(`${uid}/${job.label}`, job)
        start(job)
      } catch (e) {
        log(`cannot load ${f}: ${(e as Error).message}`)
      }
    }
  }
}

rmSync(LAUNCHD_SOCKET, { force: true })
const server = createServer((sock) => {
  let buf = ''
  sock.on('data', (d) => {
    buf += d.toString()
    if (!buf.includes('\n')) return
    const req = JSON.parse(buf.slice(0, buf.indexOf('\n'))) as LaunchdRequest
    handle(req)
      .catch((e: unknown) => ({ exitCode: 1, stderr: `launchd: ${(e as Error).message}\n` }))
      .then((res) => sock.end(JSON.stringify(res) + '\n'))
      .catch(() => undefined)
  })
})
server.listen(LAUNCHD_SOCKET, () => {
  chmodSync(LAUNCHD_SOCKET, 0o666)
  loadAtLogin()
  log('ready')
})
process.on('SIGTERM', () => {
  void Promise.all([...jobs.values()].map((j) => ((j.loaded = false), stop(j)))).then(() =>
    process.exit(0),
  )
})
