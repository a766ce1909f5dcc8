import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * What the runbook is doing right now (phase, check), carried through async
 * calls so every command recorded in the transcript knows where it came from
 * without threading labels through every helper.
 */
export interface RunContext {
  phase?: string
  check?: string
}

const storage = new AsyncLocalStorage<RunContext>()

export function currentContext(): RunContext {
  return storage.getStore() ?? {}
}

export function withContext<T>(ctx: RunContext, fn: () => Promise<T>): Promise<T> {
  return storage.run({ ...currentContext(), ...ctx }, fn)
}
