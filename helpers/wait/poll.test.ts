import { describe, expect, it } from 'vitest'
import { poll, TerminalStateError, withDeadline } from './poll.ts'

describe('poll', () => {
  it('returns the first value the probe yields', async () => {
    let n = 0
    await expect(
      poll('counter reaches 3', () => (++n < 3 ? Promise.reject(new Error(`at ${n}`)) : n), {
        timeout: '2s',
        interval: '10ms',
      }),
    ).resolves.toBe(3)
  })

  it('times out naming what was awaited and the last real error', async () => {
    const err = await poll(
      'dashboard healthy',
      () => Promise.reject(new Error('status starting')),
      { timeout: '200ms', interval: '20ms' },
    ).catch((e: unknown) => e as Error)
    expect(err.message).toBe(
      'dashboard healthy not satisfied after 200 ms; last error: status starting',
    )
    expect((err.cause as Error).message).toBe('status starting')
  })

  it('stops early on a terminal state', async () => {
    const started = Date.now()
    await expect(
      poll('unit active', () => Promise.reject(new TerminalStateError('unit failed')), {
        timeout: '10s',
      }),
    ).rejects.toThrow('unit active: gave up early: unit failed')
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('withDeadline rejects a promise that never settles', async () => {
    await expect(withDeadline('compose up', new Promise(() => undefined), '50ms')).rejects.toThrow(
      'compose up did not finish within 50 ms',
    )
  })

  it('ends on time when a probe never answers: each attempt is raced against the time left', async () => {
    const started = Date.now()
    await expect(
      poll('a host that hangs', () => new Promise<never>(() => undefined), { timeout: 300 }),
    ).rejects.toThrow(
      /a host that hangs not satisfied after 300 ms; last error: the attempt 1 did not finish/,
    )
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('reports the last real answer, not the deadline cutting a slow last attempt short', async () => {
    await expect(
      poll(
        'gpc0: agent connected',
        ({ attempt }) =>
          attempt === 1
            ? Promise.reject(new Error('gpc0: log lacks "registered"'))
            : new Promise<never>(() => undefined),
        { timeout: 300, interval: 10 },
      ),
    ).rejects.toThrow(
      /last error: gpc0: log lacks "registered" \(then the attempt 2 did not finish within \d+ ms\)$/,
    )
  })
})
