import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { useSimulatedEvaluator } from '../testing/evaluator-target.ts'
import { bootFirewallAt, parseFirewall, sshRefusedBy } from './boot-firewall.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

describe('whether SSH gets back in after a reboot (the firewall the host boots)', () => {
  it('a firewall that is off, or opens the port, lets SSH in; one that does not says which ports it opens', () => {
    expect(sshRefusedBy({ enable: false, tcp: [], ranges: [] }, 2222)).toBeNull()
    expect(sshRefusedBy({ enable: true, tcp: [80, 443, 2222], ranges: [] }, 2222)).toBeNull()
    expect(
      sshRefusedBy({ enable: true, tcp: [80], ranges: [{ from: 2200, to: 2300 }] }, 2222),
    ).toBeNull()
    expect(sshRefusedBy({ enable: true, tcp: [22, 80, 443], ranges: [] }, 2222)).toBe(
      'the firewall is on and does not open TCP 2222, the port SSH is reached on (it opens 22, 80, 443)',
    )
  })

  it('an answer that is not a firewall is an error, never "open"', () => {
    expect(() => parseFirewall('null', 'csb1')).toThrow(
      /csb1: no firewall in the evaluator's answer/,
    )
    expect(() => parseFirewall('{"enable":true,"tcp":["22"],"ranges":[]}', 'csb1')).toThrow(
      /no firewall/,
    )
    expect(() => parseFirewall('oops', 'csb1')).toThrow(/not JSON/)
  })

  describe("csb1's configuration, evaluated at a commit by the rehearsal's evaluator", () => {
    useSimulatedEvaluator()
    const repo = mkdtempSync(join(tmpdir(), 'nixcfg-fw-'))
    const git = (...args: string[]): string =>
      execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim()
    const commits = { fixed: '', morning: '' }
    beforeAll(() => {
      cpSync(join(ROOT, 'fixtures', 'nixcfg'), repo, { recursive: true })
      git('init', '-q', '-b', 'main')
      git('add', '-A')
      git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'fixed (72476e79)')
      commits.fixed = git('rev-parse', 'HEAD')
      // The morning's file: 2222 not in allowedTCPPorts (nixcfg 9021575c).
      const file = join(repo, 'hosts', 'csb1', 'configuration.nix')
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^ *2222 # SSH.*\n/m, ''))
      git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'morning (9021575c)')
      commits.morning = git('rev-parse', 'HEAD')
      // The working copy itself is elsewhere: what counts is the commit's files.
      git('checkout', '-q', commits.fixed)
    })

    it('after 72476e79 the firewall opens 2222: SSH gets back in', () => {
      const fw = bootFirewallAt('rehearsal', repo, commits.fixed, 'csb1')
      expect(fw.tcp).toContain(2222)
      expect(sshRefusedBy(fw, 2222)).toBeNull()
    })

    it("the morning's configuration (80 and 443 only) would refuse SSH on 2222 after the reboot", () => {
      const fw = bootFirewallAt('rehearsal', repo, commits.morning, 'csb1')
      expect(fw).toMatchObject({ enable: true })
      expect(fw.tcp).not.toContain(2222)
      expect(sshRefusedBy(fw, 2222)).toMatch(/does not open TCP 2222/)
    })

    it('a commit the working copy does not have is named, not guessed', () => {
      expect(() =>
        bootFirewallAt('rehearsal', repo, '0123456789abcdef0123456789abcdef01234567', 'csb1'),
      ).toThrow(/nixcfg commit 0123456789abcdef0123456789abcdef01234567 is not in the working copy/)
    })
  })
})
