import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { FleetHost } from '../fleet/fleet.ts'
import { SudoNeedsPasswordError } from '../hosts/errors.ts'
import { Host } from '../hosts/host.ts'
import type { ExecResult, Transport } from '../hosts/transport.ts'
import { parseInventory } from '../inventory/load-inventory.ts'
import { osAdapterFor } from '../os/registry.ts'
import { pullAndSwitch } from './pull-and-switch.ts'

const INVENTORY = fileURLToPath(new URL('../../fixtures/fleet.yaml', import.meta.url))

/** A NixOS host that answers the read-only questions and records every other command sent. */
function gpc0(sudo: 'password' | 'passwordless'): { fh: FleetHost; sent: string[] } {
  const inv = parseInventory(readFileSync(INVENTORY, 'utf8'))
  const spec = { ...inv.hosts.find((h) => h.name === 'gpc0')!, sudo }
  const sent: string[] = []
  const answer = (stdout: string, exitCode = 0): ExecResult => ({
    exitCode,
    stdout,
    stderr: '',
    durationMs: 1,
  })
  const transport: Transport = {
    hostName: 'gpc0',
    exec: (command) => {
      if (command.includes('uname -s')) return Promise.resolve(answer('Linux\n'))
      if (command.includes('--abbrev-ref')) return Promise.resolve(answer('main\n'))
      if (command.includes('rev-parse HEAD')) return Promise.resolve(answer('a'.repeat(40) + '\n'))
      if (command.includes('merge-base')) return Promise.resolve(answer('', 1))
      sent.push(command)
      return Promise.resolve(answer(''))
    },
    reset: () => Promise.resolve(),
    close: () => Promise.resolve(),
  }
  return { fh: { spec, host: new Host('gpc0', transport), os: osAdapterFor(spec) }, sent }
}

describe('pull and switch on a host whose sudo asks for a password', () => {
  it('is refused at once, naming the host and the inventory, and nothing is pulled', async () => {
    const { fh, sent } = gpc0('password')
    const run = pullAndSwitch(fh, {
      commit: 'b'.repeat(40),
      branch: 'main',
      isDone: () => Promise.resolve(false),
    })
    await expect(run).rejects.toBeInstanceOf(SudoNeedsPasswordError)
    await expect(run).rejects.toThrow(
      /^gpc0: sudo needs a password on gpc0 \(inventory: sudo: password; the runbook never types one\): sudo -n nixos-rebuild switch/,
    )
    expect(sent).toEqual([])
  })

  it("with passwordless sudo the plan's pull and switch is sent", async () => {
    const { fh, sent } = gpc0('passwordless')
    await pullAndSwitch(fh, {
      commit: 'a'.repeat(40),
      branch: 'main',
      isDone: () => Promise.resolve(false),
    }).catch(() => undefined)
    expect(sent.join('\n')).toMatch(/git pull --ff-only && sudo -n nixos-rebuild switch/)
  })
})
