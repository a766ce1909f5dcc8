import { existsSync, readFileSync } from 'node:fs'
import ssh2, { type AnyAuthMethod, type AuthHandlerMiddleware, type NextAuthHandler } from 'ssh2'

// ssh2 is CommonJS: under plain Node ESM only its default export is visible.
const { utils } = ssh2

/**
 * Offers credentials in the order OpenSSH does: the agent's keys first (when
 * SSH_AUTH_SOCK is set), then each identity file that exists. An encrypted key
 * cannot be used without a prompt, so it is skipped with a reason kept for the
 * error message ("load it into ssh-agent").
 */
export interface AuthPlan {
  handler: AuthHandlerMiddleware
  /** What was offered, for a useful "authentication failed" message. */
  describe(): string
}

export function planAuth(
  username: string,
  identityFiles: string[],
  agentSocket: string | undefined,
): AuthPlan {
  const offered: string[] = []
  const skipped: string[] = []
  const methods: AnyAuthMethod[] = []
  if (agentSocket) {
    methods.push({ type: 'agent', username, agent: agentSocket })
    offered.push(`ssh-agent (${agentSocket})`)
  }
  for (const file of identityFiles) {
    if (!existsSync(file)) continue
    const text = readFileSync(file, 'utf8')
    const parsed = utils.parseKey(text)
    if (parsed instanceof Error) {
      skipped.push(
        `${file}: ${/encrypted|passphrase/i.test(parsed.message) ? 'encrypted, load it into ssh-agent' : parsed.message}`,
      )
      continue
    }
    methods.push({ type: 'publickey', username, key: text })
    offered.push(file)
  }
  const queue = [...methods]
  // ssh2 stops authenticating when handed `false`; its typings omit that case.
  const handler: AuthHandlerMiddleware = (_left, _partial, next: NextAuthHandler) =>
    next(queue.shift() ?? (false as unknown as AnyAuthMethod))
  return {
    handler,
    describe: () =>
      [
        offered.length ? `offered: ${offered.join(', ')}` : 'no usable key or agent',
        ...(skipped.length ? [`skipped: ${skipped.join('; ')}`] : []),
      ].join('; '),
  }
}
