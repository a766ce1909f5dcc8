import { sh } from '../shell/quote.ts'
import type { Host } from '../hosts/host.ts'
import { HostError } from '../hosts/errors.ts'
import { poll, TerminalStateError } from '../wait/poll.ts'
import { sleep, type Duration } from '../time/duration.ts'
import type { HostSpec } from '../inventory/load-inventory.ts'
import type { AgentState, FlakeOutput, Judged, OsAdapter } from './os-adapter.ts'
import { provenStart, recordProvenStart } from './proven-stable.ts'

export const AGENT_UNIT = 'nixfleet-agent'
const STABLE_MS = 4000
/** Restarts seen during one wait that make it a crash loop rather than a slow start. */
export const CRASH_LOOP_RESTARTS = 3

export interface UnitState {
  load: string
  active: string
  sub: string
  mainPid: number
  restarts: number
  /** systemd's id of this start of the unit: a new one on every (re)start. */
  invocation: string
}

export function parseUnitShow(text: string): UnitState {
  const get = (k: string): string => new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1]?.trim() ?? ''
  return {
    load: get('LoadState'),
    active: get('ActiveState'),
    sub: get('SubState'),
    mainPid: Number(get('MainPID') || 0),
    restarts: Number(get('NRestarts') || 0),
    invocation: get('InvocationID'),
  }
}

/**
 * NixOS through systemd. The boot identity joins the kernel's boot_id with the
 * start time of PID 1 (field 22 of /proc/1/stat, in clock ticks): boot_id alone
 * does not change when a container restarts, PID 1's start time alone has
 * collisions across real reboots; together they change on both.
 */
export class NixosAdapter implements OsAdapter {
  readonly kind = 'nixos' as const
  readonly unameKernel = 'Linux'
  readonly rebootCommand = 'sudo -n systemctl reboot'

  async bootIdentity(host: Host): Promise<string> {
    const out = await host.succeed(
      `printf '%s:%s\\n' "$(cat /proc/sys/kernel/random/boot_id)" "$(cut -d' ' -f22 /proc/1/stat)"`,
      { timeout: '15s' },
    )
    return out.trim()
  }

  async unitState(host: Host, unit: string): Promise<UnitState> {
    const out = await host.succeed(
      sh`systemctl show -p LoadState -p ActiveState -p SubState -p MainPID -p NRestarts -p InvocationID ${unit}`,
      { timeout: '30s' },
    )
    return parseUnitShow(out)
  }

  async agentState(host: Host): Promise<AgentState> {
    const s = await this.unitState(host, AGENT_UNIT)
    return {
      present: s.load !== 'not-found',
      running: s.active === 'active',
      detail: `LoadState=${s.load} ActiveState=${s.active} SubState=${s.sub}`,
    }
  }

  /**
   * Waits for a unit to be running and to stay up: with Restart=always a
   * crashing service is briefly "active" on every restart, so the main PID
   * must be the same across two reads a few seconds apart. Stops early when
   * systemd says the unit failed or does not exist.
   */
  async waitForUnit(host: Host, unit: string, timeout: Duration = '2m'): Promise<UnitState> {
    let firstRestarts: number | undefined
    return poll(
      `${host.name}: unit ${unit} active and staying up`,
      async () => {
        const s = await this.unitState(host, unit)
        firstRestarts ??= s.restarts
        // Restart=always hides a crashing agent behind "activating"/"active": count restarts.
        if (s.restarts - firstRestarts >= CRASH_LOOP_RESTARTS)
          throw new TerminalStateError(
            `${host.name}: unit ${unit} keeps restarting (${s.restarts - firstRestarts} restarts while watched, ${s.active}/${s.sub})`,
          )
        if (s.active === 'active' && s.sub === 'running') {
          const key = `${host.name}\u0000${unit}`
          // The same InvocationID still running is the same start, seen staying up before.
          if (s.invocation && provenStart(key) === s.invocation) return s
          await sleep(STABLE_MS)
          const again = await this.unitState(host, unit)
          if (
            again.active === 'active' &&
            again.mainPid === s.mainPid &&
            again.invocation === s.invocation
          ) {
            if (s.invocation) recordProvenStart(key, s.invocation)
            return again
          }
          throw new HostError(
            host.name,
            `unit ${unit} restarted while watched (MainPID ${s.mainPid} -> ${again.mainPid}, ${again.restarts} restarts)`,
          )
        }
        if (s.load === 'not-found')
          throw new TerminalStateError(`${host.name}: unit ${unit} does not exist`)
        if (s.active === 'failed')
          throw new TerminalStateError(`${host.name}: unit ${unit} failed (${s.sub})`)
        throw new HostError(host.name, `unit ${unit} is ${s.active} (${s.sub})`)
      },
      { timeout, interval: '1s' },
    )
  }

  async agentLog(host: Host, lines = 200): Promise<string> {
    return host.succeed(sh`journalctl -u ${AGENT_UNIT} --no-pager -o cat -n ${lines}`, {
      timeout: '30s',
    })
  }

  async agentLogThisBoot(host: Host, lines: number): Promise<string> {
    return host.succeed(sh`journalctl -u ${AGENT_UNIT} -b --no-pager -o cat -n ${lines}`, {
      timeout: '30s',
    })
  }

  /** `sudo nixos-rebuild switch --flake .#<host>` with the inventory's attribute. */
  switchCommand(spec: HostSpec): string {
    // -n: a password prompt fails at once ("sudo needs a password") instead of hanging.
    return sh`sudo -n nixos-rebuild switch --flake ${`.#${this.flakeOutput(spec).attr}`}`
  }

  flakeOutput(spec: HostSpec): FlakeOutput {
    const attr = spec.os === 'nixos' ? spec.flake_attr : undefined
    if (!attr) throw new HostError(spec.name, 'inventory has no flake_attr for this NixOS host')
    return { kind: 'nixos', attr }
  }

  /**
   * The plan's `systemctl status nixfleet-agent`, read as the plan reads it:
   * "should show: inactive or not found" (exit 3 or 4; 0 means active).
   */
  async agentStopped(host: Host): Promise<Judged> {
    const r = await host.run(sh`systemctl status ${AGENT_UNIT} --no-pager`, { timeout: '30s' })
    const head = (r.stdout + r.stderr).trim().split('\n').slice(0, 3).join(' | ')
    if (r.exitCode === 4 || /could not be found/i.test(r.stderr))
      return { ok: true, detail: `unit ${AGENT_UNIT} not found` }
    const active = /Active:\s+(\S+)/.exec(r.stdout)?.[1] ?? ''
    if (r.exitCode === 3 && active === 'inactive')
      return { ok: true, detail: `unit ${AGENT_UNIT} ${active}` }
    return {
      ok: false,
      detail: `systemctl status ${AGENT_UNIT} exited ${r.exitCode} (${active || 'no Active: line'}): ${head}`,
    }
  }

  async waitForAgent(host: Host, timeout: Duration): Promise<void> {
    await this.waitForUnit(host, AGENT_UNIT, timeout)
  }

  /** Enabled for boot: the unit is started by the boot itself. */
  async agentComesBack(host: Host): Promise<Judged> {
    const r = await host.run(sh`systemctl is-enabled ${AGENT_UNIT}`, { timeout: '30s' })
    const state = r.stdout.trim() || r.stderr.trim()
    return { ok: state === 'enabled', detail: `systemctl is-enabled ${AGENT_UNIT}: ${state}` }
  }

  /** The unit's Environment= (NIXFLEET_URL among it). */
  async agentConfiguration(host: Host): Promise<string> {
    return host.succeed(sh`systemctl show -p Environment --value ${AGENT_UNIT}`, {
      timeout: '30s',
    })
  }
}
