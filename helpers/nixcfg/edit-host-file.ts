import { readFileSync } from 'node:fs'
import {
  agentOptions,
  AGENT_PATH,
  disableAgent,
  removeV1OnlyOptions,
  NixEditError,
  toV2Block,
  type FileEdit,
  type V2Edit,
  type V2Settings,
} from './agent-block.ts'
import { listBindings } from './bindings.ts'
import { assertParsedAs, nixParse } from './nix-parse.ts'

/** Value range of the binding at `path` (a leading `config.` allowed) in Nix text. */
function valueRange(src: string, path: readonly string[]): [number, number] {
  const b = listBindings(src).find((x) => {
    const p = x.path[0] === 'config' ? x.path.slice(1) : x.path
    return p.length === path.length && path.every((seg, i) => p[i] === seg)
  })
  const first = b?.value[0]
  const last = b?.value[b.value.length - 1]
  if (!first || !last) throw new Error(`no ${path.join('.')} in the parsed file`)
  return [first.start, last.end]
}

/** Replaces the value of the binding at `path` in Nix text (used on the parser's canonical output). */
export function replaceValue(src: string, path: readonly string[], value: string): string {
  const [start, end] = valueRange(src, path)
  return src.slice(0, start) + value + src.slice(end)
}

/**
 * Plan §1.1 on one host file: the edit, then the proof. The original must
 * parse; the edited text must parse to exactly the original with the agent's
 * enable turned to false. Nothing is written here: the caller writes all files
 * only once every one of them has passed.
 */
export function planDisableAgent(file: string, text = readFileSync(file, 'utf8')): FileEdit {
  const original = nixParse(text, file)
  const edit = disableAgent(text, file)
  if (!edit.changed) return edit
  const expected = replaceValue(original, [...AGENT_PATH, 'enable'], 'false')
  assertParsedAs(
    nixParse(edit.after, file),
    expected,
    file,
    'services.nixfleet-agent.enable = false',
  )
  return edit
}

export { NixEditError }

/**
 * Plan §2.5 on one host file: the v1 agent block becomes a v2 block. The
 * parsed result must be the parsed original with only the agent's set
 * replaced by the new block; a file that already reads as the new block
 * (a re-run) is left untouched.
 */
export function planToV2(file: string, v2: V2Settings, text = readFileSync(file, 'utf8')): V2Edit {
  const original = nixParse(text, file)
  const edit = toV2Block(text, file, v2)
  const parsed = nixParse(edit.after, file)
  if (parsed === original) return { ...edit, after: text, changed: false }
  const blockParsed = nixParse(`{ ${edit.block} }`, file)
  const [s, e] = valueRange(blockParsed, AGENT_PATH)
  const expected = replaceValue(original, AGENT_PATH, blockParsed.slice(s, e))
  assertParsedAs(parsed, expected, file, 'the v2 agent block')
  return edit
}

/**
 * A host that stays on its disabled v1 block while the pin moves to v2: its
 * v1-only options removed. The edited text must parse, and its agent must
 * read as the original's minus exactly those options (enable included).
 */
export function planRemoveV1Only(
  file: string,
  text = readFileSync(file, 'utf8'),
): FileEdit & { dropped: string[] } {
  nixParse(text, file)
  const edit = removeV1OnlyOptions(text, file)
  if (!edit.changed) return edit
  nixParse(edit.after, file)
  const want = agentOptions(text, file)
  for (const d of edit.dropped) want.delete(d)
  const got = agentOptions(edit.after, file)
  const same = want.size === got.size && [...want].every(([k, v]) => got.get(k) === v)
  if (!same)
    throw new NixEditError(
      file,
      edit.line,
      `removing ${edit.dropped.join(', ')} would change other agent options; edit it by hand`,
    )
  return edit
}
