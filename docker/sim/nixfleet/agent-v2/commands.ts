import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { quote as q } from '../../../../helpers/shell/quote.ts'
import type { AgentConfig } from './config.ts'

/** One command's process: lines out as they come, exit code at the end. */
export interface Running {
  pid: number | undefined
  done: Promise<number>
  stop(): void
}

export type LineSink = (line: string, stream: 'stdout' | 'stderr') => void

/**
 * A command in a session of its own (Setsid) or in the agent's process group.
 * On macOS before ace61cb (v2/internal/agent/commands.go) it is the agent's
 * group, so launchd stopping the agent (a switch that changes its own job)
 * takes the running switch with it. On NixOS systemd stops the whole unit's
 * cgroup either way; 393dc40 (modules/nixos.nix) keeps the unit from being
 * stopped instead (see the simulated nixos-rebuild).
 */
function runScript(script: string, cwd: string, onLine: LineSink, ownSession: boolean): Running {
  const child = spawn('/bin/sh', ['-c', script], {
    cwd,
    detached: ownSession,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  for (const [stream, name] of [
    [child.stdout, 'stdout'],
    [child.stderr, 'stderr'],
  ] as const) {
    let buf = ''
    stream.on('data', (d: Buffer) => {
      buf += d.toString()
      let i: number
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i), name)
        buf = buf.slice(i + 1)
      }
    })
    stream.on('end', () => buf && onLine(buf, name))
  }
  const done = new Promise<number>((resolve) => {
    child.on('error', () => resolve(1))
    child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGTERM' ? 130 : 1)))
  })
  return {
    pid: child.pid,
    done,
    stop: () => {
      if (!child.pid) return
      if (ownSession) process.kill(-child.pid, 'SIGTERM')
      else child.kill('SIGTERM')
    },
  }
}

/** Clones the agent's isolated checkout if it is missing (isolated mode from e579804). */
export function cloneScript(cfg: AgentConfig): string {
  const dir = q(cfg.repoDir)
  return `[ -d ${dir}/.git ] || { mkdir -p ${q(dirname(cfg.repoDir))} && git clone --branch ${q(cfg.branch)} ${q(cfg.repoUrl)} ${dir}; }`
}

/**
 * pull, by the agent's revision (v2/internal/agent/commands.go): in isolated
 * mode (a repo URL) before e579804 it is `git -C <dir> fetch origin <branch>`
 * only (exit 0 on an existing checkout, which never moves; nothing clones
 * it), from e579804 clone if missing, fetch, reset --hard to
 * origin/<branch>, clean, so the generation the agent reports follows the
 * pushed commit; without a repo URL, `git -C <dir> pull`. switch: the host's
 * own rebuild command on the agent's checkout.
 */
export function commandScript(name: string, cfg: AgentConfig): string | undefined {
  const dir = q(cfg.repoDir)
  const fetch = `git -C ${dir} fetch origin ${q(cfg.branch)}`
  const pull = !cfg.repoUrl
    ? `git -C ${dir} pull`
    : cfg.behaviour.pullMovesCheckout
      ? `${cloneScript(cfg)} && ${fetch} && git -C ${dir} reset --hard ${q(`origin/${cfg.branch}`)} && git -C ${dir} clean -fd`
      : fetch
  const sw =
    cfg.hostType === 'nixos'
      ? `sudo nixos-rebuild switch --flake ${q(`${cfg.repoDir}#${cfg.hostname}`)}`
      : `home-manager switch --flake ${q(`${cfg.repoDir}#${cfg.hostname}`)}`
  switch (name) {
    case 'pull':
      return pull
    case 'switch':
      return sw
    case 'pull-switch':
      return `${pull} && ${sw}`
    case 'update':
      return `cd ${dir} && nix flake update && ${sw}`
    case 'test':
      return `cd ${dir} && found=0; for t in hosts/${cfg.hostname}/tests/*.sh; do [ -x "$t" ] || continue; found=1; "$t" || exit 1; done; [ $found = 1 ] || echo "no tests"`
    default:
      return undefined
  }
}

export function startCommand(
  name: string,
  cfg: AgentConfig,
  onLine: LineSink,
): Running | undefined {
  const script = commandScript(name, cfg)
  if (!script) return undefined
  mkdirSync(dirname(cfg.repoDir), { recursive: true })
  const ownSession = cfg.hostType !== 'macos' || cfg.behaviour.macSwitchSurvives
  return runScript(
    script,
    existsSync(cfg.repoDir) ? cfg.repoDir : dirname(cfg.repoDir),
    onLine,
    ownSession,
  )
}

/** 7-character commit of the agent's checkout, re-read on every heartbeat. */
export function generation(repoDir: string): string {
  try {
    let head = readFileSync(join(repoDir, '.git', 'HEAD'), 'utf8').trim()
    if (head.startsWith('ref: ')) {
      const ref = head.slice(5)
      const loose = join(repoDir, '.git', ref)
      head = existsSync(loose)
        ? readFileSync(loose, 'utf8').trim()
        : (readFileSync(join(repoDir, '.git', 'packed-refs'), 'utf8')
            .split('\n')
            .find((l) => l.endsWith(` ${ref}`))
            ?.split(' ')[0] ?? '')
    }
    return head.slice(0, 7)
  } catch {
    return ''
  }
}
