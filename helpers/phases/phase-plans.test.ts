import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openFleet } from '../fleet/fleet.ts'
import { loadInventory } from '../inventory/load-inventory.ts'
import { planPhase1 } from './phase1.ts'
import { planPhase2 } from './phase2.ts'

const FIXTURE = fileURLToPath(new URL('../../fixtures/nixcfg', import.meta.url))

/**
 * Plans are computed offline from the inventory and the operator's working
 * copy (here a git copy of the nixcfg fixture): every host's command, every
 * file change as a diff, and nothing written.
 */
describe('phase plans', () => {
  let dir: string
  const env = { ...process.env }
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
      cwd: dir,
      encoding: 'utf8',
    }).trim()

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'plan-nixcfg-'))
    cpSync(FIXTURE, dir, { recursive: true })
    git('init', '--quiet', '--initial-branch=main')
    git('add', '-A')
    git('commit', '--quiet', '-m', 'fixture')
    process.env.NIXCFG_WORKTREE = dir
  })
  afterAll(() => {
    process.env = env
    rmSync(dir, { recursive: true, force: true })
  })

  const fleet = (): ReturnType<typeof openFleet> =>
    openFleet({ target: 'production', inventory: loadInventory(), ssh: {} })

  it('phase 1: each host file as a diff, one commit, each host’s command, the dashboard stop and backup', () => {
    const head = git('rev-parse', 'HEAD')
    const text = planPhase1(fleet()).render()
    expect(text).toMatch(/^=== PLAN: Phase 1: Decommission v1 \(nothing below has been done\) ===/)
    expect(text).toContain('~ hosts/hsb0/configuration.nix')
    expect(text).toMatch(/-\s+enable = true;\n\s+\+\s+enable = false;/)
    expect(text).toContain(
      `+ git commit -m 'chore: disable v1 nixfleet agents for v2 migration' -- hosts/hsb0/configuration.nix`,
    )
    expect(text).toContain(
      `$ cd "$HOME"/nixcfg && git pull --ff-only && sudo -n nixos-rebuild switch --flake '.#hsb8'`,
    )
    expect(text).toContain(
      `$ cd "$HOME"/Code/nixcfg && git pull --ff-only && PATH="/etc/profiles/per-user/$(id -un)/bin:$HOME/.nix-profile/bin:/nix/var/nix/profiles/default/bin:$PATH" home-manager switch --flake '.#markus@imac0'`,
    )
    // v1 is found, not assumed: no `docker compose down` in the checkout, which stops nothing on csb1.
    expect(text).toMatch(/--- csb1\n(.*\n)*\s+\$ docker stop <that container>/)
    expect(text).not.toMatch(/\$ cd .*&& docker compose down/)
    expect(text).toMatch(
      /--- csb1\n(.*\n)*.*python3 .*> data\/nixfleet\.db\.v1-backup-\$\(date \+%Y%m%d\)/,
    )
    expect(text).toContain('cp -a ~/docker/nixfleet ~/docker/!archiv/nixfleet-v1-$(date +%Y%m%d)')
    // Nothing was written or committed.
    expect(git('status', '--porcelain')).toBe('')
    expect(git('rev-parse', 'HEAD')).toBe(head)
  })

  it('phase 1 under HOSTS=gpc0: gpc0 only; csb1 left alone', () => {
    process.env.HOSTS = 'gpc0'
    try {
      const plan = planPhase1(fleet())
      const where = new Set(plan.steps.map((s) => s.where))
      expect([...where].sort()).toEqual(['csb1', 'dashboard', 'gpc0', 'nixcfg'])
      expect(plan.render()).toContain('not in HOSTS: the v1 dashboard is left running, no backup')
      expect(plan.steps.filter((s) => s.kind === 'edit').map((s) => s.text)).toEqual([
        'hosts/gpc0/configuration.nix',
      ])
    } finally {
      delete process.env.HOSTS
    }
  })

  it('phase 2: the deploy on csb1, the v2 blocks and flake.lock as diffs, reboots, commands', () => {
    const lock = readFileSync(join(dir, 'flake.lock'), 'utf8')
    const text = planPhase2(fleet()).render()
    // The pinned revision, the v2 service in the main stack, only that service built and started.
    expect(text).toMatch(
      /docker\/nixfleet && git checkout --detach e5798044ddd69d2782a9a55d8c59910cc736710a.*\n(.*\n)*.*add service nixfleet .*docker-compose\.yml.*\n.*cd "\$HOME"\/docker && docker compose build nixfleet\n.*cd "\$HOME"\/docker && docker compose up -d nixfleet/,
    )
    expect(text).not.toMatch(/git pull\n/)
    expect(text).toContain('url = "wss://fleet.barta.cm/ws";')
    expect(text).toMatch(/-\s+location = /)
    // Production pins with Nix's own command; the file is not touched by the plan.
    expect(text).toMatch(/\$ nix flake lock --override-input nixfleet github:.*\/e5798044ddd6/)
    expect(readFileSync(join(dir, 'flake.lock'), 'utf8')).toBe(lock)
    expect(text).toContain('$ sudo -n systemctl reboot')
    expect(text).toContain('only if the firewall it boots opens its SSH port')
    // The Mac's restart is a person's step: asked for, not sent.
    expect(text).not.toContain('$ sudo -n shutdown -r now')
    expect(text).toMatch(
      /PERSON STEP: restart mba-mbp-work \(Apple menu, Restart…\), then log in at its FileVault unlock screen/,
    )
    expect(text).toContain("> send pull, then switch, to mba-mbp-work through the dashboard's API")
  })

  it('a file the run would refuse shows as the refusal, and nothing is committed', () => {
    const file = join(dir, 'hosts/hsb0/configuration.nix')
    const original = readFileSync(file, 'utf8')
    execFileSync('sed', ['-i', 's/^    enable = true;$/    enable = lib.mkForce true;/', file])
    try {
      const text = planPhase1(fleet()).render()
      expect(text).toMatch(/# REFUSED, the run would stop before any change: .*hsb0.*lib\.mkForce/)
    } finally {
      cpSync(join(FIXTURE, 'hosts/hsb0/configuration.nix'), file)
      expect(readFileSync(file, 'utf8')).toBe(original)
    }
  })
})
