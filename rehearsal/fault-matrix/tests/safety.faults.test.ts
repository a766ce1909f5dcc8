import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { openFleet } from '../../../helpers/fleet/fleet.ts'
import { loadInventory } from '../../../helpers/inventory/load-inventory.ts'
import { DashboardStack } from '../../../helpers/steps/dashboard-stack.ts'
import { remoteHead } from '../../world/remote-head.ts'
import { fleetDown, rehearsalSshSettings } from '../../world/fleet-lifecycle.ts'
import { PHASE1_ITEMS } from '../scenarios.ts'
import { runRunbook } from '../run-runbook.ts'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** Everything a phase could change: agents, checkouts, containers, remotes. */
async function fleetSnapshot(): Promise<Record<string, string>> {
  const inv = loadInventory()
  const fleet = openFleet({ target: 'rehearsal', inventory: inv, ssh: rehearsalSshSettings() })
  try {
    const snap: Record<string, string> = {
      'nixcfg remote': remoteHead('nixcfg'),
      'nixfleet remote': remoteHead('nixfleet'),
    }
    for (const fh of fleet.hosts) {
      const state = await fh.os.agentState(fh.host)
      snap[`${fh.spec.name} agent`] = String(state.running)
      snap[`${fh.spec.name} checkout`] = (
        await fh.host.succeed(`git -C ${fh.spec.checkout} rev-parse HEAD`, { timeout: '30s' })
      ).trim()
    }
    const csb1 = fleet.get('csb1').host
    snap['csb1 containers'] = (
      await csb1.succeed(`docker ps -a --format '{{.ID}} {{.Names}} {{.State}}' | sort`, {
        timeout: '1m',
      })
    ).trim()
    snap['csb1 nixfleet checkout'] = (
      await csb1.succeed('git -C ~/docker/nixfleet rev-parse HEAD', { timeout: '30s' })
    ).trim()
    snap['csb1 data'] = (
      await csb1.succeed('ls ~/docker/nixfleet/data 2>/dev/null; ls ~/secrets 2>/dev/null; true', {
        timeout: '30s',
      })
    ).trim()
    return snap
  } finally {
    await fleet.close()
  }
}

describe('plan mode changes nothing', () => {
  it('MIGRATION_PLAN=1 for phases 1 and 2: every command and diff printed; no host, commit or container changed', async () => {
    const up = spawnSync('npx', ['tsx', 'rehearsal/world/cli.ts', 'up'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 15 * 60_000,
    })
    expect(up.status, up.stderr.slice(-2000)).toBe(0)
    try {
      const before = await fleetSnapshot()
      const run = await runRunbook({
        specs: ['specs/phase1', 'specs/phase2-deploy-v2'],
        env: { MIGRATION_PLAN: '1' },
        timeoutMs: 10 * 60_000,
      })
      const tail = run.output.slice(-3000)
      expect(run.checks.get('plan (MIGRATION_PLAN=1: nothing is done)')?.status, tail).toBe(
        'passed',
      )
      expect(run.output).toContain(
        '=== PLAN: Phase 1: Decommission v1 (nothing below has been done) ===',
      )
      expect(run.output).toContain('=== PLAN: Phase 2: Deploy v2 (nothing below has been done) ===')
      for (const h of loadInventory().hosts)
        expect(run.output, `${h.name}'s command`).toMatch(
          new RegExp(
            // A Mac's home-manager is found with the Nix profiles first on its PATH.
            `git pull --ff-only && (sudo -n nixos-rebuild|PATH="[^"]*" home-manager) switch --flake '\\.#${h.os === 'nixos' ? h.flake_attr : h.hm_attr}'`,
          ),
        )
      // The code a production run must be given back to act on exactly this plan.
      expect(run.output).toMatch(
        /confirmation code of this plan \(Phase 1: Decommission v1\): [0-9a-f]{12}/,
      )
      expect(run.output).toMatch(/\+\s+enable = false;/)
      expect(run.output).toMatch(/\+\s+url = "wss:\/\/fleet\.barta\.cm\/ws";/)
      expect(await fleetSnapshot()).toEqual(before)
    } finally {
      fleetDown()
    }
  })
})

/**
 * HOSTS=gpc0 on phase 1, on a fresh fleet kept after the run so that the
 * hosts themselves can be asked what changed: gpc0's agent is stopped; every
 * other host's agent still runs; csb1's v1 dashboard still runs with no
 * backup taken; the one nixcfg commit touches gpc0's file only.
 */
describe('HOSTS limits a phase to the hosts named', () => {
  it('HOSTS=gpc0: phase 1 changes gpc0 and nothing else', async () => {
    const run = await runRunbook({
      specs: ['specs/phase1'],
      env: { HOSTS: 'gpc0', REHEARSAL_KEEP: '1' },
      timeoutMs: 15 * 60_000,
    })
    const inv = loadInventory()
    const fleet = openFleet({ target: 'rehearsal', inventory: inv, ssh: rehearsalSshSettings() })
    try {
      const tail = run.output.slice(-3000)
      expect(run.checks.get('gpc0: v1 agent stopped')?.status, tail).toBe('passed')
      for (const item of PHASE1_ITEMS.filter((i) => !i.startsWith('gpc0:'))) {
        const c = run.checks.get(item)
        expect(c?.status, `${item} should be skipped as out of scope`).toBe('skipped')
      }
      expect(run.output).toMatch(/scope: HOSTS=gpc0 \(1 of 8 hosts\)/)

      const others = inv.hosts.map((h) => h.name).filter((h) => h !== 'gpc0')
      for (const h of others) {
        const fh = fleet.get(h)
        const state = await fh.os.agentState(fh.host)
        expect(state.running, `${h}: its agent must still run (${state.detail})`).toBe(true)
      }
      const stack = new DashboardStack(fleet.get('csb1').host, inv)
      expect((await stack.v1Container())?.running, 'csb1: the v1 dashboard must still run').toBe(
        true,
      )
      const backups = await fleet
        .get('csb1')
        .host.run('ls ~/docker/nixfleet/data/ | grep -c v1-backup', { timeout: '30s' })
      expect(backups.stdout.trim(), 'csb1: no backup may have been taken').toBe('0')

      // The commit the hosts pull from: one file, gpc0's.
      const files = execFileSync(
        'docker',
        [
          'exec',
          'rehearsal-gateway',
          'git',
          '--git-dir=/srv/git/markus-barta/nixcfg.git',
          'show',
          '--name-only',
          '--format=%s',
          'main',
        ],
        { encoding: 'utf8' },
      )
        .trim()
        .split('\n')
      expect(files).toEqual([
        'chore: disable v1 nixfleet agents for v2 migration',
        '',
        'hosts/gpc0/configuration.nix',
      ])
    } finally {
      await fleet.close()
      fleetDown()
    }
  })

  it('a name not in the inventory is refused before anything runs', async () => {
    const run = await runRunbook({
      specs: ['specs/phase1'],
      env: { HOSTS: 'gpc0,gpc9' },
      timeoutMs: 5 * 60_000,
    }).catch((err: unknown) => ({ error: err as Error }))
    // No report: the run stopped in its global setup, before a fleet was started.
    const text = 'error' in run ? run.error.message : run.output
    expect(text).toMatch(/HOSTS: gpc9 is not eligible in .*fleet\.yaml/)
    expect(text).not.toMatch(/rehearsal fleet up/)
  })
})
