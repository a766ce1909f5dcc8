import { readFileSync } from 'node:fs'
import { AGENT_PATH, disableAgent, NixEditError, type FileEdit } from './agent-block.ts'
import { listBindings } from './bindings.ts'
import { assertParsedAs, nixParse } from './nix-parse.ts'

/** Replaces the value of the binding at `path` in Nix text (used on the parser's canonical output). */
export function replaceValue(src: string, path: readonly string[], value: string): string {
  const b = listBindings(src).find(
    (x) => x.path.length === path.length && path.every((p, i) => x.path[i] === p),
  )
  const first = b?.value[0]
  const last = b?.value[b.value.length - 1]
  if (!first || !last) throw new Error(`no ${path.join('.')} in the parsed file`)
  return src.slice(0, first.start) + value + src.slice(last.end)
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
