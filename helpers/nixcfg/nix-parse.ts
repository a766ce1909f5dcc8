import { spawnSync } from 'node:child_process'
import { dirname } from 'node:path'
import { NixEditError } from './agent-block.ts'

/**
 * The real Nix parser (`nix-instantiate --parse`, Debian's nix-bin) on a
 * file's text. It prints the parsed expression in a canonical form (attribute
 * sets merged and sorted, comments and layout gone), which lets an edit be
 * judged by meaning: see `assertOnlyChange`.
 *
 * The text is fed on stdin with the file's directory as working directory,
 * so relative paths (`../../secrets/x.age`) print the same as from the file.
 */
export function nixParse(text: string, file: string, dir = dirname(file)): string {
  const r = spawnSync('nix-instantiate', ['--parse', '-'], {
    input: text,
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
  })
  if (r.error)
    throw new NixEditError(file, undefined, `cannot run nix-instantiate: ${r.error.message}`)
  if (r.status !== 0) {
    // nix colours its errors; NO_COLOR is not honoured by 2.8, so strip ANSI escapes.
    // eslint-disable-next-line no-control-regex
    const msg = r.stderr.replace(/\x1b\[[0-9;]*m/g, '').trim()
    const line = /at .*?:(\d+):\d+/.exec(msg)?.[1]
    throw new NixEditError(file, line ? Number(line) : undefined, `Nix parse error: ${msg}`)
  }
  return r.stdout.trim()
}

/**
 * After an edit, the parsed file must be the parsed original with exactly the
 * intended replacement(s): anything else (a token swallowed, a brace moved, a
 * second value changed) stops the run before a commit.
 */
export function assertParsedAs(edited: string, expected: string, file: string, what: string): void {
  if (edited === expected) return
  let i = 0
  while (i < edited.length && edited[i] === expected[i]) i++
  throw new NixEditError(
    file,
    undefined,
    `the edit (${what}) changed more than intended; Nix reads …${edited.slice(Math.max(0, i - 40), i + 40)}… where …${expected.slice(Math.max(0, i - 40), i + 40)}… was expected`,
  )
}
