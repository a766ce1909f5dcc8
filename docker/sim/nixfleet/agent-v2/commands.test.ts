import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { behaviourAt, readRevisions } from '../revisions.ts'
import { startCommand } from './commands.ts'
import type { AgentConfig } from './config.ts'

const REVS = readRevisions(fileURLToPath(new URL('../../../nixfleet-revs.json', import.meta.url)))
const dir = mkdtempSync(join(tmpdir(), 'agent-commands-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
mkdirSync(join(dir, 'hosts', 'mba-mbp-work', 'tests'), { recursive: true })
writeFileSync(join(dir, 'hosts', 'mba-mbp-work', 'tests', 'a.sh'), '#!/bin/sh\nsleep 2\n')
chmodSync(join(dir, 'hosts', 'mba-mbp-work', 'tests', 'a.sh'), 0o755)

const cfg = (revision: string): AgentConfig => ({
  url: 'wss://fleet.barta.cm/ws',
  token: 't',
  repoUrl: '',
  repoDir: dir,
  branch: 'main',
  intervalS: 30,
  hostname: 'mba-mbp-work',
  logLevel: 'info',
  hostType: 'macos',
  behaviour: behaviourAt(revision, REVS),
})
const pgid = (pid: number): number =>
  Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).trim())

describe('a command the Mac’s agent runs, and launchd stopping the agent (ace61cb)', () => {
  it('before ace61cb it runs in the agent’s process group: stopping the agent’s group ends it too', async () => {
    const r = startCommand(
      'test',
      cfg('3999ab9856de35c21b00de9891ea44912c00e502'),
      () => undefined,
    )!
    expect(pgid(r.pid!)).toBe(pgid(process.pid))
    r.stop()
    expect(await r.done).not.toBe(0)
  })

  it('from ace61cb it has a session of its own (Setsid): it survives the agent’s own restart', async () => {
    const r = startCommand(
      'test',
      cfg('ace61cb85f06bc8fc437b0a1b993778229fcce18'),
      () => undefined,
    )!
    expect(pgid(r.pid!)).toBe(r.pid)
    expect(pgid(r.pid!)).not.toBe(pgid(process.pid))
    r.stop()
    await r.done
  })
})
