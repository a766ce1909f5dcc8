import bcrypt from 'bcryptjs'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DashboardClient } from '../../../../helpers/dashboard/client.ts'
import { loadConfig } from '../dashboard-v2/config.ts'
import { ALL_FIXED } from '../revisions.ts'
import { startDashboard, type RunningDashboard } from '../dashboard-v2/server.ts'
import { bundleForNode } from '../../../bundle.ts'

/**
 * The simulated v2 agent as a real process against the simulated dashboard:
 * registration, heartbeats, pull that moves the reported generation,
 * streamed output and exit codes, reconnect, a wrong token.
 */
const AGENT = fileURLToPath(new URL('./agent.ts', import.meta.url))
const PASSWORD = 'pw-agent-test'
const TOKEN = 'agent-token-for-tests-0001'
const work = mkdtempSync(join(tmpdir(), 'agent-v2-'))
/** The agent bundled once, as the images carry it: each start is a plain `node` (no TypeScript loader). */
const BUNDLE = join(work, 'bundle', 'nixfleet-agent.mjs')
const git = (cwd: string, ...a: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], {
    cwd,
    encoding: 'utf8',
  }).trim()

let d: RunningDashboard
let port = 0
const procs: ChildProcess[] = []
let logs = ''

const startDash = async (): Promise<void> => {
  d = await startDashboard(
    loadConfig({
      NIXFLEET_PASSWORD_HASH: bcrypt.hashSync(PASSWORD, 4),
      NIXFLEET_SESSION_SECRET: 's',
      NIXFLEET_AGENT_TOKEN: TOKEN,
      NIXFLEET_LISTEN: `127.0.0.1:${port}`,
      NIXFLEET_DATA_DIR: join(work, 'data'),
    }),
    () => undefined,
    ALL_FIXED,
  )
  port = d.port
}

function runAgent(env: Record<string, string>): ChildProcess {
  const p = spawn(process.execPath, [BUNDLE], {
    env: { ...process.env, NIXFLEET_AGENT_MAIN: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  p.stderr?.on('data', (b: Buffer) => (logs += b.toString()))
  procs.push(p)
  return p
}

const remote = join(work, 'remote.git')
const seed = join(work, 'seed')
beforeAll(async () => {
  await bundleForNode({ 'nixfleet-agent': AGENT }, join(work, 'bundle'))
  git(work, 'init', '-q', '--bare', '-b', 'main', remote)
  git(work, 'init', '-q', '-b', 'main', seed)
  writeFileSync(join(seed, 'flake.nix'), '{ }\n')
  git(seed, 'add', '-A')
  git(seed, 'commit', '-qm', 'first')
  git(seed, 'push', '-q', remote, 'main')
  await startDash()
})
afterEach(() => {
  for (const p of procs.splice(0)) p.kill('SIGTERM')
})
afterAll(() => d.close())

const client = async (): Promise<DashboardClient> => {
  const c = new DashboardClient(`http://127.0.0.1:${port}`)
  await c.login(PASSWORD, undefined)
  return c
}
const REVS = fileURLToPath(new URL('../../../nixfleet-revs.json', import.meta.url))
/** The first revision with every fix, and the agents' pin on the migration day. */
const FIXED = 'e5798044ddd69d2782a9a55d8c59910cc736710a'
const DAY_PIN = '3999ab9856de35c21b00de9891ea44912c00e502'
const baseEnv = (host: string, revision = FIXED): Record<string, string> => ({
  NIXFLEET_AGENT_REVISION: revision,
  RUNBOOK_SIM_REVS: REVS,
  NIXFLEET_URL: `ws://127.0.0.1:${port}/ws`,
  NIXFLEET_TOKEN: TOKEN,
  NIXFLEET_REPO_URL: remote,
  NIXFLEET_REPO_DIR: join(work, `${host}-repo`),
  NIXFLEET_INTERVAL: '1',
  NIXFLEET_HOSTNAME: host,
})

describe('v2 agent (simulated) against the v2 dashboard', () => {
  it('connects, registers, and the host is online', async () => {
    runAgent(baseEnv('gpc0'))
    const c = await client()
    await expect
      .poll(async () => (await c.hosts()).find((h) => h.hostname === 'gpc0')?.status, {
        timeout: 15_000,
      })
      .toBe('online')
    await expect
      .poll(() => logs, { timeout: 5000 })
      .toMatch(/INF registered with dashboard host_id=gpc0/)
    expect(logs).toMatch(/INF NixFleet Agent starting[\s\S]*INF connected to dashboard/)
  })

  it('e579804: the checkout is cloned at start; pull moves it to the pushed commit', async () => {
    runAgent(baseEnv('hsb1'))
    const c = await client()
    await expect
      .poll(async () => (await c.hosts()).find((h) => h.hostname === 'hsb1')?.status, {
        timeout: 15_000,
      })
      .toBe('online')
    writeFileSync(join(seed, 'flake.nix'), '{ outputs = _: { }; }\n')
    git(seed, 'commit', '-qam', 'second')
    git(seed, 'push', '-q', remote, 'main')
    const pushed = git(seed, 'rev-parse', '--short=7', 'HEAD')
    const browser = await c.browserSocket()
    const done = new Promise<Record<string, unknown>>((resolve) =>
      browser.on('message', (m: Buffer) => {
        const f = JSON.parse(m.toString()) as { type: string; payload: Record<string, unknown> }
        if (f.type === 'command_complete') resolve(f.payload)
      }),
    )
    expect((await c.command('hsb1', 'pull')).status).toBe(200)
    expect(await done).toMatchObject({
      host_id: 'hsb1',
      command: 'pull',
      status: 'ok',
      exit_code: 0,
    })
    await expect
      .poll(async () => (await c.hosts()).find((h) => h.hostname === 'hsb1')?.generation, {
        timeout: 5000,
      })
      .toBe(pushed)
    browser.close()
  })

  it('a failing command ends with status error and its exit code; output is streamed', async () => {
    // 3999ab9 never clones its isolated checkout: its pull (a fetch) has nowhere to run.
    runAgent(baseEnv('csb0', DAY_PIN))
    const c = await client()
    await expect
      .poll(async () => (await c.hosts()).find((h) => h.hostname === 'csb0')?.status, {
        timeout: 15_000,
      })
      .toBe('online')
    const browser = await c.browserSocket()
    const frames: { type: string; payload: Record<string, unknown> }[] = []
    const done = new Promise<void>((resolve) =>
      browser.on('message', (m: Buffer) => {
        frames.push(JSON.parse(m.toString()) as (typeof frames)[number])
        if (frames.at(-1)?.type === 'command_complete') resolve()
      }),
    )
    await c.command('csb0', 'pull')
    await done
    expect(
      frames.some(
        (f) =>
          f.type === 'command_output' &&
          /cannot change to .*csb0-repo/.test(String(f.payload.line)),
      ),
    ).toBe(true)
    expect(frames.find((f) => f.type === 'command_complete')?.payload).toMatchObject({
      status: 'error',
      exit_code: 128,
    })
    browser.close()
  })

  it('3999ab9: pull on an existing checkout only fetches: exit 0, the generation stays', async () => {
    const dir = join(work, 'hsb8-repo')
    git(work, 'clone', '-q', remote, dir)
    const before = git(dir, 'rev-parse', '--short=7', 'HEAD')
    runAgent(baseEnv('hsb8', DAY_PIN))
    const c = await client()
    await expect
      .poll(async () => (await c.hosts()).find((h) => h.hostname === 'hsb8')?.generation, {
        timeout: 15_000,
      })
      .toBe(before)
    writeFileSync(join(seed, 'flake.nix'), '{ outputs = _: { x = 1; }; }\n')
    git(seed, 'commit', '-qam', 'third')
    git(seed, 'push', '-q', remote, 'main')
    const browser = await c.browserSocket()
    const done = new Promise<Record<string, unknown>>((resolve) =>
      browser.on('message', (m: Buffer) => {
        const f = JSON.parse(m.toString()) as { type: string; payload: Record<string, unknown> }
        if (f.type === 'command_complete') resolve(f.payload)
      }),
    )
    await c.command('hsb8', 'pull')
    expect(await done).toMatchObject({ status: 'ok', exit_code: 0 })
    expect(git(dir, 'rev-parse', '--short=7', 'HEAD')).toBe(before)
    expect((await c.hosts()).find((h) => h.hostname === 'hsb8')?.generation).toBe(before)
    browser.close()
  })

  it('e579804: an isolated checkout that cannot be cloned stops the agent at start', async () => {
    logs = ''
    const p = runAgent({ ...baseEnv('hsb1b'), NIXFLEET_REPO_URL: join(work, 'no-such-remote.git') })
    const code = await new Promise<number | null>((resolve) => p.on('exit', resolve))
    expect(code).toBe(1)
    expect(logs).toMatch(/ERR failed to ensure repository exists error=".*no-such-remote/)
  })

  it('reconnects and re-registers after the dashboard restarts', async () => {
    runAgent(baseEnv('hsb0'))
    const c = await client()
    await expect
      .poll(async () => (await c.hosts()).find((h) => h.hostname === 'hsb0')?.status, {
        timeout: 15_000,
      })
      .toBe('online')
    await d.close()
    await startDash()
    const c2 = await client()
    await expect
      .poll(async () => (await c2.hosts()).find((h) => h.hostname === 'hsb0')?.status, {
        timeout: 20_000,
      })
      .toBe('online')
  })

  it('a wrong token is refused and retried, never registered', async () => {
    logs = ''
    runAgent({ ...baseEnv('imac0'), NIXFLEET_TOKEN: 'wrong' })
    await expect
      .poll(() => (logs.match(/authentication failed: 401 Unauthorized/g) ?? []).length, {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(2)
    const c = await client()
    expect((await c.hosts()).find((h) => h.hostname === 'imac0')).toBeUndefined()
  })

  it('refuses to start without its required variables', () => {
    const r = (() => {
      try {
        execFileSync(process.execPath, [BUNDLE], {
          env: { ...process.env, NIXFLEET_AGENT_MAIN: '1', NIXFLEET_URL: 'https://fleet.barta.cm' },
          stdio: 'pipe',
        })
        return ''
      } catch (e) {
        return String((e as { stderr: Buffer }).stderr)
      }
    })()
    expect(r).toMatch(
      /FTL NIXFLEET_URL must be a ws:\/\/ or wss:\/\/ URL.*NIXFLEET_TOKEN is required/,
    )
  })
})
