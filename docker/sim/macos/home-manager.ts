/**
 * Simulated standalone home-manager for the rehearsal's macOS hosts:
 * `home-manager switch --flake .#user@host` evaluates the host's home.nix with
 * the real Nix evaluator, writes ~/Library/LaunchAgents/com.nixfleet.agent.plist
 * (or removes it), keeps generations, and reloads the job with launchctl the
 * way home-manager's setupLaunchAgents activation does.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { evaluateAgent, EvalError, faultActive, gitHead, parseFlakeRef } from '../lib/evaluate.ts'
import { Profile } from '../lib/generations.ts'
import { LABEL, renderAgentPlist } from './agent-plist.ts'

const home = homedir()
const uid = process.getuid?.() ?? 501
const plistPath = join(home, 'Library', 'LaunchAgents', `${LABEL}.plist`)
const profile = new Profile(
  join(home, '.local', 'state', 'nix', 'profiles'),
  'home-manager',
  `${LABEL}.plist`,
)
const out = (s: string): void => void process.stdout.write(s + '\n')

function launchctl(...args: string[]): number {
  return spawnSync('launchctl', args, { stdio: ['ignore', 'ignore', 'ignore'] }).status ?? 1
}

function activate(next: string | undefined): number {
  out('Starting Home Manager activation')
  out('Activating checkFilesChanged')
  out('Activating checkLaunchAgents')
  out('Activating writeBoundary')
  out('Activating linkGeneration')
  const prev = existsSync(plistPath) ? readFileSync(plistPath, 'utf8') : undefined
  out('Activating setupLaunchAgents')
  if (prev === next) return 0
  if (prev !== undefined) {
    out(`Stopping ${LABEL}...`)
    launchctl('bootout', `gui/${uid}/${LABEL}`)
    rmSync(plistPath, { force: true })
  }
  if (next !== undefined) {
    mkdirSync(join(home, 'Library', 'LaunchAgents'), { recursive: true })
    writeFileSync(plistPath, next)
    out(`Starting ${LABEL}...`)
    const code = launchctl('bootstrap', `gui/${uid}`, plistPath)
    if (code !== 0) {
      out(`Failed to start ${LABEL} (launchctl bootstrap exit ${code})`)
      return 1
    }
  }
  return 0
}

function main(argv: string[]): number {
  if (argv[0] === 'generations') {
    for (const g of profile.all().reverse()) out(`${g.number} : id ${g.number} -> ${g.dir}`)
    return 0
  }
  if (argv[0] !== 'switch') {
    process.stderr.write(
      `home-manager: unsupported command '${argv[0] ?? ''}' in this simulation (switch, generations)\n`,
    )
    return 1
  }
  const i = argv.indexOf('--flake')
  const ref = i >= 0 ? argv[i + 1] : undefined
  if (!ref) {
    process.stderr.write('error: --flake <ref> is required (standalone flake configuration)\n')
    return 1
  }
  const { dir, attr } = parseFlakeRef(ref, process.cwd())
  const ev = evaluateAgent(dir, attr, 'home')
  if (faultActive('rebuild-fails')) {
    process.stderr.write(
      `error: builder for '/nix/store/…-home-manager-generation.drv' failed with exit code 1 (simulated rebuild failure)\n`,
    )
    return 1
  }
  const next = renderAgentPlist(ev, home)
  const { generation, created } = profile.commit(next, {
    attr,
    flake: dir,
    commit: gitHead(dir),
    moduleVersion: ev.moduleVersion,
  })
  if (!created) out(`No change: generation ${generation.number} is current`)
  return activate(next)
}

try {
  process.exitCode = main(process.argv.slice(2))
} catch (err) {
  process.stderr.write(
    (err instanceof EvalError ? err.message : `error: ${(err as Error).message}`) + '\n',
  )
  process.exitCode = 1
}
