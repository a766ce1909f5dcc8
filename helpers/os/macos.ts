import { sh } from '../shell/quote.ts'
import type { Host } from '../hosts/host.ts'
import { HostError } from '../hosts/errors.ts'
import { sleep, type Duration } from '../time/duration.ts'
import { poll, TerminalStateError } from '../wait/poll.ts'
import type { HostSpec } from '../inventory/load-inventory.ts'
import type { AgentState, FlakeOutput, Judged, OsAdapter } from './os-adapter.ts'
import { provenStart, recordProvenStart } from './proven-stable.ts'

export const AGENT_LABEL = 'com.nixfleet.agent'
/** Two of launchd's 10 s relaunch throttles, plus a margin. */
const CRASH_LOOP_MS = 25_000
/** launchd writes the agent's stdout and stderr here; the v2 agent logs to stderr. */
export const AGENT_LOGS = ['/tmp/nixfleet-agent.log', '/tmp/nixfleet-agent.err'] as const

export interface LaunchdJob {
  pid: number | null
  lastExitStatus: number
  label: string
}

/**
 * `launchctl print gui/<uid>/<label>` as macOS prints it ("state = running",
 * "pid = 123", "last exit code = 0"); undefined when the job is not loaded
 * (exit 113, "Could not find service").
 */
export function parseLaunchctlPrint(text: string, label: string): LaunchdJob | undefined {
  if (!/^\S+ = \{/m.test(text)) return undefined
  const field = (name: string): string | undefined =>
    new RegExp(`^\\s*${name} = (.+)$`, 'm').exec(text)?.[1]?.trim()
  const pid = field('pid')
  const state = field('state')
  return {
    pid: pid && state === 'running' ? Number(pid) : null,
    lastExitStatus: Number(field('last exit code') ?? '0') || 0,
    label,
  }
}

/** Where Nix installs home-manager and nix on a Mac, ahead of whatever PATH an SSH command has. */
export const NIX_PATH_PREFIX =
  'PATH="/etc/profiles/per-user/$(id -un)/bin:$HOME/.nix-profile/bin:/nix/var/nix/profiles/default/bin:$PATH"'

/** The agent's job in the user's GUI domain, where home-manager's LaunchAgents live. */
const PRINT_AGENT = `launchctl print gui/$(id -u)/${AGENT_LABEL}`

/**
 * macOS through launchd (home-manager's per-user agent). Over SSH the
 * session is not the user's GUI (Aqua) session: `launchctl list` there does
 * not show the GUI domain's jobs, so the agent is read with `launchctl
 * print gui/<uid>/<label>` (reference §4).
 */
export class MacosAdapter implements OsAdapter {
  readonly kind = 'macos' as const
  readonly unameKernel = 'Darwin'
  readonly rebootCommand = 'sudo -n shutdown -r now'

  async bootIdentity(host: Host): Promise<string> {
    // "{ sec = 1733986400, usec = 123456 } Thu Dec 12 …": the pair identifies the boot.
    const out = await host.succeed('sysctl -n kern.boottime', { timeout: '15s' })
    const m = /sec = (\d+), usec = (\d+)/.exec(out)
    return m ? `${m[1]}.${m[2]}` : out.trim()
  }

  /** The agent's job in gui/<uid>, or undefined when it is not loaded there. */
  async agentJob(host: Host): Promise<LaunchdJob | undefined> {
    const r = await host.run(`${PRINT_AGENT} 2>&1`, { timeout: '30s' })
    const job = parseLaunchctlPrint(r.stdout, AGENT_LABEL)
    if (job) return job
    if (r.exitCode === 113 || /Could not find service/.test(r.stdout)) return undefined
    throw new HostError(host.name, `${PRINT_AGENT} failed (exit ${r.exitCode}): ${r.stdout.trim()}`)
  }

  async agentState(host: Host): Promise<AgentState> {
    const job = await this.agentJob(host)
    if (!job)
      return { present: false, running: false, detail: `${AGENT_LABEL} not loaded in gui/<uid>` }
    return {
      present: true,
      running: job.pid !== null,
      detail: `PID=${job.pid ?? '-'} LastExitStatus=${job.lastExitStatus} Label=${job.label}`,
    }
  }

  /** Waits for the job to be loaded with a process that stays the same (KeepAlive restarts change the PID). */
  async waitForAgentJob(host: Host, timeout: Duration = '2m'): Promise<LaunchdJob> {
    let failingSince: number | undefined
    return poll(
      `${host.name}: launchd job ${AGENT_LABEL} running and staying up`,
      async () => {
        const job = await this.agentJob(host)
        if (!job) throw new HostError(host.name, `${AGENT_LABEL} is not loaded in gui/<uid>`)
        // KeepAlive relaunches a crashing agent every 10 s (launchd's throttle): a job that
        // keeps showing a failed last exit for longer than two throttles is a crash loop.
        if (job.lastExitStatus !== 0 && job.pid === null) failingSince ??= Date.now()
        else if (job.lastExitStatus === 0) failingSince = undefined
        if (failingSince !== undefined && Date.now() - failingSince > CRASH_LOOP_MS)
          throw new TerminalStateError(
            `${host.name}: ${AGENT_LABEL} keeps exiting (last exit status ${job.lastExitStatus} for ${Math.round((Date.now() - failingSince) / 1000)} s)`,
          )
        if (job.pid === null)
          throw new HostError(
            host.name,
            `${AGENT_LABEL} is loaded but not running (last exit ${job.lastExitStatus})`,
          )
        // The same PID in the same boot is the same process: seen staying up before, up since.
        const started = `${await this.bootIdentity(host)}:${job.pid}`
        if (provenStart(host.name) === started) return job
        await sleep(4000)
        const again = await this.agentJob(host)
        if (again?.pid !== job.pid)
          throw new HostError(
            host.name,
            `${AGENT_LABEL} restarted while watched (PID ${job.pid} -> ${again?.pid ?? '-'})`,
          )
        recordProvenStart(host.name, started)
        return again
      },
      { timeout, interval: '1s' },
    )
  }

  async agentLog(host: Host, lines = 200): Promise<string> {
    const [out, err] = AGENT_LOGS
    return host.succeed(sh`tail -n ${lines} ${out} ${err} 2>/dev/null || true`, { timeout: '30s' })
  }

  /** The v2 agent logs to stderr, which launchd writes to /tmp (emptied by a reboot). */
  async agentLogThisBoot(host: Host, lines: number): Promise<string> {
    return host.succeed(sh`tail -n ${lines} ${AGENT_LOGS[1]} 2>/dev/null || true`, {
      timeout: '30s',
    })
  }

  /**
   * `home-manager switch --flake ".#<user>@<host>"` with the inventory's
   * attribute, found where Nix puts it: a command run over SSH has
   * home-manager on its PATH only if the login shell's start-up files add it
   * (reference §4), so the per-user, user and default profiles come first.
   */
  switchCommand(spec: HostSpec): string {
    return `${NIX_PATH_PREFIX} ${sh`home-manager switch --flake ${`.#${this.flakeOutput(spec).attr}`}`}`
  }

  flakeOutput(spec: HostSpec): FlakeOutput {
    const attr = spec.os === 'macos' ? spec.hm_attr : undefined
    if (!attr) throw new HostError(spec.name, 'inventory has no hm_attr for this macOS host')
    return { kind: 'home', attr }
  }

  /**
   * The plan's "`launchctl list | grep nixfleet` should show nothing", asked
   * where the job lives: over SSH `launchctl list` shows nothing even while
   * the agent runs, so the GUI domain is read instead (a departure).
   */
  async agentStopped(host: Host): Promise<Judged> {
    const job = await this.agentJob(host)
    return job
      ? {
          ok: false,
          detail: `${AGENT_LABEL} is still loaded in gui/<uid> (pid ${job.pid ?? '-'}, last exit ${job.lastExitStatus})`,
        }
      : { ok: true, detail: `${AGENT_LABEL} is not loaded in gui/<uid> (${PRINT_AGENT})` }
  }

  async waitForAgent(host: Host, timeout: Duration): Promise<void> {
    await this.waitForAgentJob(host, timeout)
  }

  /** Loaded at login and kept alive: home-manager's LaunchAgent plist says so. */
  async agentComesBack(host: Host): Promise<Judged> {
    const plist = `~/Library/LaunchAgents/${AGENT_LABEL}.plist`
    const r = await host.run(`cat ${plist}`, { timeout: '30s' })
    if (r.exitCode !== 0) return { ok: false, detail: `${plist} is missing` }
    const flag = (key: string): boolean => new RegExp(`<key>${key}</key>\\s*<true/>`).test(r.stdout)
    return {
      ok: flag('RunAtLoad') && flag('KeepAlive'),
      detail: `${plist}: RunAtLoad ${flag('RunAtLoad')}, KeepAlive ${flag('KeepAlive')}`,
    }
  }

  /** The job's plist (its wrapper script sets NIXFLEET_URL; quotes may be XML-escaped). */
  async agentConfiguration(host: Host): Promise<string> {
    return host.succeed(`cat ~/Library/LaunchAgents/${AGENT_LABEL}.plist 2>/dev/null || true`, {
      timeout: '30s',
    })
  }
}
