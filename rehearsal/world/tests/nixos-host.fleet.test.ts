import { afterAll, describe, expect, it } from 'vitest'
import { NixosAdapter } from '../../../helpers/os/nixos.ts'
import { remotePath, sh } from '../../../helpers/shell/quote.ts'
import { simulated } from './world-hosts.ts'

/** The simulated NixOS host behaves like one: evaluation, activation, generations, reboots. */
describe('simulated NixOS host (gpc0)', () => {
  const { machine, host } = simulated('gpc0')
  const nixos = new NixosAdapter()
  const dir = remotePath(machine.checkout)
  const file = sh`${dir}/hosts/gpc0/configuration.nix`
  const rebuild = sh`cd ${dir} && sudo nixos-rebuild switch --flake .#gpc0`
  const setEnable = (v: boolean): Promise<string> =>
    host.succeed(
      `sed -i 's/^    enable = ${String(!v)};$/    enable = ${String(v)};/' ${file} && grep -c '^    enable = ${String(v)};$' ${file}`,
    )
  const restore = (): Promise<string> =>
    host.succeed(sh`cd ${dir} && git checkout -- hosts/gpc0/configuration.nix`)

  afterAll(() => host.close())

  it('runs the v1 agent it was deployed with', async () => {
    await expect(nixos.waitForUnit(host, 'nixfleet-agent', '60s')).resolves.toMatchObject({
      active: 'active',
    })
    const unit = await host.succeed('cat /etc/systemd/system/nixfleet-agent.service')
    expect(unit).toMatch(/^Restart=always$/m)
    expect(unit).toMatch(/^RestartSec=3$/m)
    expect(unit).toMatch(/^WantedBy=multi-user.target$/m)
    expect(unit).toMatch(/^EnvironmentFile=\/run\/agenix\/nixfleet-token$/m)
    expect(unit).toContain('Environment="NIXFLEET_URL=https://fleet.barta.cm"')
    expect(unit).toContain('Environment="NIXFLEET_THEME_COLOR=#9868d0"')
  })

  it('disabling the agent and switching stops it and removes the unit', async () => {
    await setEnable(false)
    const out = await host.run(rebuild, { timeout: '2m' })
    expect(out.exitCode).toBe(0)
    expect(out.stderr).toMatch(
      /building the system configuration[\s\S]*stopping the following units: nixfleet-agent.service/,
    )
    expect(await nixos.agentState(host)).toMatchObject({ present: false, running: false })
  })

  it('a syntax error fails the switch, names the file, and changes nothing', async () => {
    await host.succeed(`echo 'services.nixfleet-agent = {' >> ${file}`)
    const r = await host.fail(rebuild, { timeout: '2m' })
    expect(r.stderr).toMatch(/error: syntax error/)
    expect(r.stderr).toContain('hosts/gpc0/configuration.nix')
    expect(await nixos.agentState(host)).toMatchObject({ present: false })
    await host.succeed(`sed -i '$ d' ${file}`)
  })

  it('enabling it again starts the unit', async () => {
    await setEnable(true)
    const out = await host.succeed(`${rebuild} 2>&1`, { timeout: '2m' })
    expect(out).toContain('the following new units were started: nixfleet-agent.service')
    await expect(nixos.waitForUnit(host, 'nixfleet-agent', '60s')).resolves.toMatchObject({
      active: 'active',
    })
  })

  it('an option the pinned module does not have (v2 logLevel under v1) fails naming file and option', async () => {
    await host.succeed(
      `sed -i 's/^    interval = 10;$/    interval = 10;\\n    logLevel = "info";/' ${file}`,
    )
    const r = await host.fail(rebuild, { timeout: '2m' })
    expect(r.stderr).toMatch(/The option `services\.nixfleet-agent\.logLevel' does not exist/)
    expect(r.stderr).toContain(`${machine.checkout}/hosts/gpc0/configuration.nix`)
    await expect(nixos.waitForUnit(host, 'nixfleet-agent', '30s')).resolves.toMatchObject({
      active: 'active',
    })
    await restore()
  })

  it('a missing required option fails like the module’s assertion', async () => {
    await host.succeed(`sed -i '/^    user = "mba";$/d' ${file}`)
    const r = await host.fail(rebuild, { timeout: '2m' })
    expect(r.stderr).toContain("The option `services.nixfleet-agent.user' is used but not defined.")
    await restore()
  })

  it('--rollback returns to the previous generation', async () => {
    await setEnable(false)
    await host.succeed(rebuild, { timeout: '2m' })
    expect(await nixos.agentState(host)).toMatchObject({ present: false })
    const out = await host.succeed('sudo nixos-rebuild switch --rollback 2>&1', { timeout: '2m' })
    expect(out).toMatch(/switching profile from version \d+ to \d+/)
    await expect(nixos.waitForUnit(host, 'nixfleet-agent', '60s')).resolves.toMatchObject({
      active: 'active',
    })
    await restore()
  })

  it('a reboot is a real boot: new boot identity, enabled unit back', async () => {
    const r = await host.reboot({
      command: nixos.rebootCommand,
      bootIdentity: (h) => nixos.bootIdentity(h),
      timeout: '3m',
    })
    expect(r.after).not.toBe(r.before)
    await expect(nixos.waitForUnit(host, 'nixfleet-agent', '90s')).resolves.toMatchObject({
      active: 'active',
    })
  })
})
