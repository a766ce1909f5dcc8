import { EventEmitter } from 'node:events'
import type WebSocket from 'ws'
import { describe, expect, it } from 'vitest'
import { watchCommandFrames } from './commands.ts'

/** A browser socket stand-in: frames are emitted as the dashboard would send them. */
function socket(): { ws: WebSocket; send: (type: string, payload: object) => void } {
  const e = new EventEmitter()
  return {
    ws: e as unknown as WebSocket,
    send: (type, payload) => e.emit('message', Buffer.from(JSON.stringify({ type, payload }))),
  }
}

describe('a command is watched while it runs', () => {
  it('completes on its command_complete, other hosts’ frames aside', async () => {
    const { ws, send } = socket()
    const done = watchCommandFrames(ws, 'gpc0', 'pull', 5000)
    send('command_output', { host_id: 'mba-mbp-work', line: 'x' })
    send('command_output', { host_id: 'gpc0', line: 'Fetching origin' })
    send('command_complete', { host_id: 'gpc0', exit_code: 0, status: 'ok' })
    expect((await done).map((f) => f.type)).toContain('command_complete')
  })

  it('no acknowledgement in time fails at once, naming the host', async () => {
    const { ws } = socket()
    const started = Date.now()
    await expect(
      watchCommandFrames(ws, 'gpc0', 'switch', 60_000, { ackWithinMs: 300 }),
    ).rejects.toThrow(
      'gpc0: switch: sent, but gpc0 neither acknowledged it nor sent output within 300 ms',
    )
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('the host going offline while it runs fails at once', async () => {
    const { ws, send } = socket()
    const done = watchCommandFrames(ws, 'mba-mbp-work', 'switch', 60_000)
    send('host_update', { host_id: 'mba-mbp-work', pending_command: 'switch', online: true })
    send('host_update', { host_id: 'mba-mbp-work', online: false, status: 'offline' })
    await expect(done).rejects.toThrow(
      'mba-mbp-work: switch: the host went offline while it ran (the dashboard says so) (frames for mba-mbp-work: host_update, host_update)',
    )
  })

  it('a reason from the host itself (the agent unit stopped) fails it at its next look', async () => {
    const { ws, send } = socket()
    const done = watchCommandFrames(ws, 'gpc0', 'switch', 60_000, {
      whyNot: () => Promise.resolve('nixfleet-agent.service is inactive (dead)'),
      checkEveryMs: 100,
    })
    send('command_output', { host_id: 'gpc0', line: 'building the system configuration...' })
    await expect(done).rejects.toThrow(
      'gpc0: switch: stopped while running: nixfleet-agent.service is inactive (dead)',
    )
  })
})
