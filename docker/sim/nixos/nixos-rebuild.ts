/**
 * Simulated `nixos-rebuild` for the rehearsal's NixOS hosts. It evaluates the
 * host's services.nixfleet-agent from the checked-out flake with the real Nix
 * evaluator, renders nixfleet-agent.service, keeps generations, and activates
 * the unit the way switch-to-configuration does. Output follows the real
 * tool's outline; failures exit non-zero and change nothing.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import {
  evaluateAgent,
  EvalError,
  type Evaluation,
  faultActive,
  gitHead,
  parseFlakeRef,
  storePath,
} from '../lib/evaluate.ts'
import { Profile } from '../lib/generations.ts'
import { changedUnitAction, renderAgentUnit } from './unit.ts'
import { FIREWALL_FILE } from './firewall-rules.ts'

const UNIT = 'nixfleet-agent.service'
const UNIT_PATH = `/etc/systemd/system/${UNIT}`
const profile = new Profile('/nix/var/nix/profiles', 'system', UNIT)

const out = (s: string): void => void process.stderr.write(s + '\n')

function systemctl(...args: string[]): number {
  return spawnSync('systemctl', args, { stdio: ['ignore', 'ignore', 'inherit'] }).status ?? 1
}

/** switch-to-configuration: stop removed units, start new ones, changed ones as changedUnitAction says. */
function activate(next: string | undefined): number {
  out('activating the configuration...')
  out('setting up /etc...')
  const prev = existsSync(UNIT_PATH) ? readFileSync(UNIT_PATH, 'utf8') : undefined
  if (prev !== undefined && next === undefined) {
    out(`stopping the following units: ${UNIT}`)
    systemctl('stop', UNIT)
    systemctl('disable', UNIT)
    rmSync(UNIT_PATH, { force: true })
    systemctl('daemon-reload')
    return 0
  }
  if (next === undefined) return 0
  if (prev === next) return 0
  writeFileSync(UNIT_PATH, next)
  systemctl('daemon-reload')
  systemctl('enable', UNIT)
  const plan = changedUnitAction(prev, next)
  if (plan === 'start') {
    out(`the following new units were started: ${UNIT}`)
    systemctl('start', UNIT)
  } else if (plan === 'skip') {
    out(`NOT restarting the following changed units: ${UNIT}`)
    return 0
  } else if (plan === 'restart') {
    out(`restarting the following units: ${UNIT}`)
    systemctl('restart', UNIT)
  } else {
    // stopIfChanged (NixOS's default): stopped before activation, started after. A
    // switch the agent runs itself is in the unit's cgroup: the stop ends it here,
    // and nothing starts the agent again (an explicit stop is not a crash).
    out(`stopping the following units: ${UNIT}`)
    systemctl('stop', UNIT)
    out(`starting the following units: ${UNIT}`)
    systemctl('start', UNIT)
  }
  // A unit that dies right away is reported as real activation does (exit 4).
  spawnSync('sleep', ['1'])
  if (systemctl('is-failed', '--quiet', UNIT) === 0) {
    out(`warning: the following units failed: ${UNIT}`)
    return 4
  }
  return 0
}

/**
 * The build both `build` and `switch` do: the flake reference from the
 * arguments, the host's configuration evaluated, the build (which the fault
 * rebuild-fails makes fail as a real builder would). A number is the exit
 * status of a build that failed.
 */
function buildSystem(argv: string[]): { dir: string; attr: string; ev: Evaluation } | number {
  const i = argv.indexOf('--flake')
  const ref = i >= 0 ? argv[i + 1] : undefined
  if (!ref) {
    out('error: --flake <ref> is required on this host (flake-based configuration)')
    return 1
  }
  const { dir, attr } = parseFlakeRef(ref, process.cwd())
  out('building the system configuration...')
  const ev = evaluateAgent(dir, attr, 'nixos')
  if (faultActive('rebuild-fails')) {
    out(
      `error: builder for '${storePath(`nixos-system-${attr}.drv`, dir)}' failed with exit code 1;`,
    )
    out('       last 1 log lines:')
    out('       > error: hash mismatch in fixed-output derivation (simulated rebuild failure)')
    return 1
  }
  return { dir, attr, ev }
}

/** `nixos-rebuild build`: evaluates and builds, links ./result; no root, no generation, nothing activated. */
function build(argv: string[]): number {
  const built = buildSystem(argv)
  if (typeof built === 'number') return built
  const { attr, ev } = built
  const path = storePath(
    `nixos-system-${attr}`,
    `${renderAgentUnit(ev) ?? ''}${JSON.stringify(ev.firewall)}`,
  )
  rmSync('result', { force: true })
  symlinkSync(path, 'result')
  process.stdout.write(path + '\n')
  return 0
}

function main(argv: string[]): number {
  const action = argv[0]
  if (action === 'build') return build(argv)
  if (action !== 'switch' && action !== 'test' && action !== 'boot') {
    out(
      `nixos-rebuild: unsupported action '${action ?? ''}' in this simulation (build, switch, test, boot)`,
    )
    return 1
  }
  if (process.getuid?.() !== 0) {
    out('error: this command requires root (use sudo)')
    return 1
  }
  if (argv.includes('--rollback')) {
    const gens = profile.all()
    const cur = profile.current()
    const prev = gens.filter((g) => cur && g.number < cur.number).at(-1)
    if (!cur || !prev) {
      out('error: no generation older than the current one')
      return 1
    }
    out(`switching profile from version ${cur.number} to ${prev.number}`)
    profile.point(prev.number)
    return action === 'boot' ? 0 : activate(prev.content)
  }
  const built = buildSystem(argv)
  if (typeof built === 'number') return built
  const { dir, attr, ev } = built
  const unit = renderAgentUnit(ev)
  // The firewall is part of the system: the boot applies the current generation's rules
  // (firewall.ts), as csb1's reboot applied the configuration it had switched to.
  const { generation, created } = profile.commit(
    unit,
    { attr, flake: dir, commit: gitHead(dir), moduleVersion: ev.moduleVersion },
    { [FIREWALL_FILE]: JSON.stringify(ev.firewall) + '\n' },
  )
  out(
    created
      ? `created generation ${generation.number} (${storePath(`nixos-system-${attr}`, unit ?? '')})`
      : `generation ${generation.number} is already the current system`,
  )
  if (action === 'boot') return 0
  return activate(unit)
}

try {
  process.exitCode = main(process.argv.slice(2))
} catch (err) {
  out(err instanceof EvalError ? err.message : `error: ${(err as Error).message}`)
  process.exitCode = 1
}
