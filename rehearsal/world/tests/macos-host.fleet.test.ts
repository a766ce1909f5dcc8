import { execFileSync, spawnSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { MacosAdapter, NIX_PATH_PREFIX } from '../../../helpers/os/macos.ts'
import { raw, remotePath, sh } from '../../../helpers/shell/quote.ts'
import { simulated } from './world-hosts.ts'
import { poll } from '../../../helpers/wait/poll.ts'

const CONTAINER = 'rehearsal-mba-mbp-work'

/** The simulated Mac: Darwin, home-manager switch, launchd's list/print/bootstrap/bootout/kickstart, restarts behind FileVault. */
describe('simulated macOS host (mba-mbp-work)', () => {
  const { machine, host } = simulated('mba-mbp-work')
  const mac = new MacosAdapter()
  const dir = remotePath(machine.checkout)
  const file = sh`${dir}/hosts/mba-mbp-work/home.nix`
  const hmSwitch = sh`cd ${dir} && ${raw(NIX_PATH_PREFIX)} home-manager switch --flake ${'.#mba@mba-mbp-work'}`
  const setEnable = (v: boolean): Promise<string> =>
    host.succeed(
      `sed -i 's/^  services.nixfleet-agent.enable = ${String(!v)};$/  services.nixfleet-agent.enable = ${String(v)};/' ${file}`,
    )

  afterAll(() => host.close())

  it('answers as a Mac and runs the agent from launchd with its logs in /tmp', async () => {
    expect((await host.succeed('uname -s')).trim()).toBe('Darwin')
    await expect(mac.waitForAgentJob(host, '120s')).resolves.toMatchObject({
      label: 'com.nixfleet.agent',
    })
    expect(await host.succeed('launchctl print gui/$(id -u)/com.nixfleet.agent')).toMatch(
      /state = running[\s\S]*stderr path = \/tmp\/nixfleet-agent\.err/,
    )
    // Right after a fresh fleet's boot the job may not have written its banner yet.
    await expect
      .poll(() => mac.agentLog(host), { timeout: 60_000 })
      .toMatch(/NixFleet Agent Starting/)
  })

  it('over SSH home-manager is not on the PATH; the runbook finds it in the per-user profile', async () => {
    expect((await host.run('command -v home-manager')).exitCode).not.toBe(0)
    expect((await host.succeed(`${NIX_PATH_PREFIX} sh -c 'command -v home-manager'`)).trim()).toBe(
      '/etc/profiles/per-user/mba/bin/home-manager',
    )
  })

  it('launchctl exit codes are macOS’s', async () => {
    expect((await host.run('launchctl print gui/$(id -u)/com.example.none')).exitCode).toBe(113)
    const plist = '~/Library/LaunchAgents/com.nixfleet.agent.plist'
    expect(await host.fail(`launchctl bootstrap gui/$(id -u) ${plist}`)).toMatchObject({
      exitCode: 5,
      stderr: expect.stringContaining('Bootstrap failed: 5') as unknown,
    })
    expect(
      (await host.run('launchctl kickstart -k gui/$(id -u)/com.nixfleet.agent')).exitCode,
    ).toBe(0)
  })

  it('over SSH, launchctl list does not show the GUI domain’s agent even while it runs (the plan’s check would pass)', async () => {
    expect((await mac.agentState(host)).running).toBe(true)
    expect(await host.run('launchctl list | grep nixfleet')).toMatchObject({
      exitCode: 1,
      stdout: '',
    })
  })

  it('disabling the agent and switching unloads it from gui/<uid>', async () => {
    await setEnable(false)
    await host.succeed(hmSwitch, { timeout: '2m' })
    expect((await host.run('launchctl print gui/$(id -u)/com.nixfleet.agent')).exitCode).toBe(113)
    expect(await mac.agentStopped(host)).toMatchObject({ ok: true })
    expect((await host.run('launchctl bootout gui/$(id -u)/com.nixfleet.agent')).exitCode).toBe(3)
  })

  it('enabling it again loads the job', async () => {
    await setEnable(true)
    await host.succeed(hmSwitch, { timeout: '2m' })
    expect(await host.succeed('launchctl print gui/$(id -u)/com.nixfleet.agent')).toMatch(
      /^gui\/\d+\/com\.nixfleet\.agent = \{/,
    )
    expect(await mac.agentStopped(host)).toMatchObject({ ok: false })
  })

  it('after a restart (sudo shutdown -r now) it waits at the FileVault screen without SSH; once someone logs in, a new kern.boottime and the job is back', async () => {
    const before = await mac.bootIdentity(host)
    const startedAt = (): string =>
      execFileSync('docker', ['inspect', '-f', '{{.State.StartedAt}}', CONTAINER], {
        encoding: 'utf8',
      }).trim()
    const bootBefore = startedAt()
    // Detached, as the runbook fires a reboot: the session dies with the machine.
    await host
      .run(sh`nohup sh -c ${`sleep 1; ${mac.rebootCommand}`} >/dev/null 2>&1 &`, { timeout: '20s' })
      .catch(() => undefined)
    await host.transport.reset()
    // The new boot stops at the unlock screen: FileVault's unit waits for a login.
    await poll(
      'mba-mbp-work at its FileVault unlock screen in a new boot',
      () => {
        const waiting = spawnSync('docker', [
          'exec',
          CONTAINER,
          'sh',
          '-c',
          '[ "$(systemctl is-active runbook-filevault)" = activating ]',
        ])
        if (startedAt() === bootBefore || waiting.status !== 0) throw new Error('not yet')
        return Promise.resolve()
      },
      { timeout: '2m', interval: '1s' },
    )
    await expect(host.run('true', { timeout: '20s' })).rejects.toThrow(/Connection refused/)
    // Someone logs in: the boot goes on, sshd and launchd start.
    execFileSync('docker', [
      'exec',
      CONTAINER,
      'sh',
      '-c',
      'mkdir -p /run/runbook-sim && touch /run/runbook-sim/logged-in',
    ])
    const after = await host.newBoot(before, (h) => mac.bootIdentity(h), '2m')
    expect(after).not.toBe(before)
    await expect(mac.waitForAgentJob(host, '150s')).resolves.toMatchObject({
      label: 'com.nixfleet.agent',
    })
  })
})
