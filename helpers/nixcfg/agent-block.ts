import { nixString } from './nix-string.ts'
import { listBindings, type Binding } from './bindings.ts'
import { lineOf, NixLexError } from './nix-lexer.ts'

export const AGENT_PATH = ['services', 'nixfleet-agent'] as const

/** A nixcfg file the runbook will not edit by itself; names the file and the line. */
export class NixEditError extends Error {
  override name = 'NixEditError'
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    reason: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${reason}`)
  }
}

/** A module may put its settings under `config.` (when it also declares options). */
const configPath = (b: Binding): string[] => (b.path[0] === 'config' ? b.path.slice(1) : b.path)

const isAgentPath = (b: Binding, extra: string[] = []): boolean => {
  const path = configPath(b)
  return (
    path.length === AGENT_PATH.length + extra.length &&
    [...AGENT_PATH, ...extra].every((p, i) => path[i] === p)
  )
}

const underAgent = (b: Binding): boolean => {
  const path = configPath(b)
  return path.length > AGENT_PATH.length && AGENT_PATH.every((p, i) => path[i] === p)
}

/** A value as written in the file. */
export const valueText = (src: string, b: Binding): string =>
  b.value.length === 0
    ? ''
    : src.slice((b.value[0] as { start: number }).start, (b.value.at(-1) as { end: number }).end)

export interface AgentDefinitions {
  /** `services.nixfleet-agent = { … };` blocks. */
  blocks: Binding[]
  /** Every binding below the agent (`…enable`, `…url`, nested or dotted). */
  options: Binding[]
  enable: Binding
  enabled: boolean
}

function bindingsOf(src: string, file: string): Binding[] {
  try {
    return listBindings(src)
  } catch (err) {
    const offset = err instanceof NixLexError ? err.offset : undefined
    throw new NixEditError(
      file,
      offset === undefined ? undefined : lineOf(src, offset),
      `cannot read the file: ${(err as Error).message}`,
    )
  }
}

/**
 * Where the agent is configured in a host file, refusing what a safe edit
 * cannot handle: no agent definition, an agent set or enable reached through
 * a function (`lib.mkIf …`, `lib.mkForce …`), `enable` defined twice, or an
 * `enable` that is not a plain `true`/`false`.
 */
export function agentDefinitions(src: string, file: string): AgentDefinitions {
  const all = bindingsOf(src, file)
  const line = (b: Binding): number => lineOf(src, b.start)
  const wrappedAgent = all.find((b) => (isAgentPath(b) || underAgent(b)) && b.wrapped)
  if (wrappedAgent)
    throw new NixEditError(
      file,
      line(wrappedAgent),
      `${wrappedAgent.path.join('.')} is defined inside an expression (mkIf/mkMerge/let…); edit it by hand`,
    )
  const blocks = all.filter((b) => isAgentPath(b))
  for (const b of blocks)
    if (!b.isSet)
      throw new NixEditError(
        file,
        line(b),
        `services.nixfleet-agent is set to \`${valueText(src, b)}\`, not an attribute set written out; edit it by hand`,
      )
  const options = all.filter(underAgent)
  const enables = options.filter((b) => isAgentPath(b, ['enable']))
  if (enables.length === 0)
    throw new NixEditError(
      file,
      blocks[0] ? line(blocks[0]) : undefined,
      blocks.length
        ? 'the services.nixfleet-agent block has no `enable` (it may come from another module); edit it by hand'
        : 'no services.nixfleet-agent definition in this file',
    )
  if (enables.length > 1)
    throw new NixEditError(
      file,
      line(enables[1] as Binding),
      `services.nixfleet-agent.enable is defined ${enables.length} times (lines ${enables.map(line).join(', ')})`,
    )
  const enable = enables[0] as Binding
  const value = valueText(src, enable)
  if (value !== 'true' && value !== 'false')
    throw new NixEditError(
      file,
      line(enable),
      `services.nixfleet-agent.enable = ${value}; is not a plain true/false (mkForce/mkDefault/expression); edit it by hand`,
    )
  return { blocks, options, enable, enabled: value === 'true' }
}

export interface FileEdit {
  file: string
  before: string
  after: string
  changed: boolean
  /** Line of the edit, for the operator's log. */
  line: number
}

/** Plan §1.1: `services.nixfleet-agent.enable = false;`, the rest of the file byte for byte. */
export function disableAgent(src: string, file: string): FileEdit {
  const defs = agentDefinitions(src, file)
  const line = lineOf(src, defs.enable.start)
  if (!defs.enabled) return { file, before: src, after: src, changed: false, line }
  const tok = defs.enable.value[0]
  if (!tok) throw new NixEditError(file, line, 'enable has no value')
  const after = src.slice(0, tok.start) + 'false' + src.slice(tok.end)
  return { file, before: src, after, changed: true, line }
}

/**
 * The whole lines a binding stands on, [start, end) with the newline; a
 * binding that shares its line with other code is refused (it would be lost
 * with them), a trailing comment goes with it.
 */
function wholeLines(src: string, file: string, b: Binding): [number, number] {
  const start = src.lastIndexOf('\n', b.start - 1) + 1
  const nl = src.indexOf('\n', b.end)
  const end = nl < 0 ? src.length : nl + 1
  const rest = src.slice(b.end, end).trim()
  if (src.slice(start, b.start).trim() !== '' || (rest !== '' && !rest.startsWith('#')))
    throw new NixEditError(
      file,
      lineOf(src, b.start),
      `${b.path.join('.')} shares its line with other code; put it on a line of its own or edit it by hand`,
    )
  return [start, end]
}

/** Options of the v1 module that the v2 module (at the migration) does not declare. */
export const V1_ONLY_OPTIONS = ['location', 'deviceType', 'themeColor'] as const
/** Options both modules declare, carried over from the v1 block as written. */
export const CARRIED_OPTIONS = [
  'tokenFile',
  'repoUrl',
  'configRepo',
  'branch',
  'user',
  'sshKeyFile',
] as const

export interface V2Settings {
  url: string
  interval: number
  logLevel: string
}

export interface V2Edit extends FileEdit {
  /** The new block as written, for the parser check. */
  block: string
  dropped: string[]
}

/**
 * Plan §2.5: the host's agent block becomes a v2 block: `url` the WebSocket
 * endpoint, the v2 options set, v1-only options removed, the shared ones
 * (token file, repository, user) carried over as written. Every agent
 * binding (nested block or dotted lines) is replaced by one nested block at
 * the place of the first; the rest of the file is kept byte for byte.
 */
export function toV2Block(src: string, file: string, v2: V2Settings): V2Edit {
  const defs = agentDefinitions(src, file)
  const opts = new Map<string, string>()
  for (const b of defs.options) {
    const name = configPath(b).slice(AGENT_PATH.length).join('.')
    opts.set(name, valueText(src, b))
  }
  const unknown = [...opts.keys()].filter(
    (k) =>
      k !== 'enable' &&
      k !== 'url' &&
      k !== 'interval' &&
      k !== 'logLevel' &&
      !(V1_ONLY_OPTIONS as readonly string[]).includes(k) &&
      !(CARRIED_OPTIONS as readonly string[]).includes(k),
  )
  if (unknown.length)
    throw new NixEditError(
      file,
      lineOf(src, defs.enable.start),
      `the agent block sets ${unknown.join(', ')}, which the runbook does not know how to carry to v2; edit it by hand`,
    )
  const first = [...defs.blocks, ...defs.options].reduce((a, b) => (b.start < a.start ? b : a))
  const lineStart = src.lastIndexOf('\n', first.start - 1) + 1
  const indent = src.slice(lineStart, first.start)
  const inner = `${indent}  `
  const lines = [
    `enable = true;`,
    `url = ${nixString(v2.url)};`,
    `interval = ${v2.interval};`,
    `logLevel = ${nixString(v2.logLevel)};`,
    ...CARRIED_OPTIONS.filter((k) => opts.has(k)).map((k) => `${k} = ${opts.get(k) ?? ''};`),
  ]
  const prefix = first.path[0] === 'config' ? 'config.' : ''
  const block = `${prefix}services.nixfleet-agent = {\n${lines.map((l) => inner + l).join('\n')}\n${indent}};`
  // Remove every agent binding (blocks and dotted lines, whole lines), then put the block at the first.
  const top = [
    ...defs.blocks,
    ...defs.options.filter((o) => !defs.blocks.some((b) => o.start >= b.start && o.end <= b.end)),
  ].sort((a, b) => a.start - b.start)
  let out = ''
  let at = 0
  top.forEach((b, i) => {
    const [start, end] = wholeLines(src, file, b)
    out += src.slice(at, start)
    if (i === 0) out += `${indent}${block}\n`
    at = end
  })
  out += src.slice(at)
  return {
    file,
    before: src,
    after: out,
    changed: out !== src,
    line: lineOf(src, first.start),
    block,
    dropped: V1_ONLY_OPTIONS.filter((k) => opts.has(k)),
  }
}

/** The agent's options as written, by name relative to the agent (`enable`, `url`, …). */
export function agentOptions(src: string, file: string): Map<string, string> {
  const defs = agentDefinitions(src, file)
  const opts = new Map<string, string>()
  for (const b of defs.options)
    opts.set(configPath(b).slice(AGENT_PATH.length).join('.'), valueText(src, b))
  return opts
}

/**
 * One pin moves every host: once flake.lock pins the v2 module, a host that
 * stays on its (disabled) v1 block must not set options v2 does not declare,
 * or it can no longer be rebuilt or rolled back. Removes those bindings
 * (whole lines), keeping `enable` and everything else byte for byte.
 */
export function removeV1OnlyOptions(src: string, file: string): FileEdit & { dropped: string[] } {
  const defs = agentDefinitions(src, file)
  const v1Only = defs.options.filter((b) =>
    (V1_ONLY_OPTIONS as readonly string[]).includes(
      configPath(b).slice(AGENT_PATH.length).join('.'),
    ),
  )
  const line = lineOf(src, defs.enable.start)
  if (!v1Only.length) return { file, before: src, after: src, changed: false, line, dropped: [] }
  let out = ''
  let at = 0
  for (const b of [...v1Only].sort((x, y) => x.start - y.start)) {
    const [start, end] = wholeLines(src, file, b)
    out += src.slice(at, start)
    at = end
  }
  out += src.slice(at)
  return {
    file,
    before: src,
    after: out,
    changed: true,
    line: lineOf(src, v1Only[0]!.start),
    dropped: v1Only.map((b) => configPath(b).slice(AGENT_PATH.length).join('.')),
  }
}
