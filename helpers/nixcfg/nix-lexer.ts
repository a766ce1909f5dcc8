/**
 * Tokens of a Nix file with their byte offsets, enough to find where an
 * attribute is defined and to replace exactly its value. No npm package
 * parses Nix with positions (tree-sitter-nix ships no wasm for Node), so
 * this lexer only *locates*; the real Nix parser (`nix-instantiate --parse`)
 * judges every edited file before anything is committed (nix-parse.ts).
 *
 * Strings are single tokens (their `${…}` interpolations are skipped with
 * brace counting, nested strings included), comments are dropped, so a
 * `services.nixfleet-agent.enable` inside a comment or a string is never
 * taken for a definition.
 */
export type TokenKind = 'ident' | 'string' | 'punct' | 'other'

export interface Token {
  kind: TokenKind
  text: string
  start: number
  end: number
}

export class NixLexError extends Error {
  override name = 'NixLexError'
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message)
  }
}

const IDENT_START = /[A-Za-z_]/
const IDENT_PART = /[A-Za-z0-9_'-]/
const PUNCT = new Set(['{', '}', '[', ']', '(', ')', '=', ';', '.', ',', ':', '?', '@'])

export function lexNix(src: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i] as string
    if (/\s/.test(c)) {
      i++
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2)
      if (end < 0) throw new NixLexError('unterminated /* comment', i)
      i = end + 2
    } else if (c === '"') {
      const end = skipDoubleQuoted(src, i)
      tokens.push({ kind: 'string', text: src.slice(i, end), start: i, end })
      i = end
    } else if (c === "'" && src[i + 1] === "'") {
      const end = skipIndented(src, i)
      tokens.push({ kind: 'string', text: src.slice(i, end), start: i, end })
      i = end
    } else if (c === '$' && src[i + 1] === '{') {
      // An interpolated attribute name (`${x} = …`): one opaque token.
      const end = skipInterpolation(src, i + 2)
      tokens.push({ kind: 'other', text: src.slice(i, end), start: i, end })
      i = end
    } else if (IDENT_START.test(c)) {
      let j = i + 1
      while (j < src.length && IDENT_PART.test(src[j] as string)) j++
      // A path or URL literal that starts like an identifier (e.g. `nixpkgs/lib`, `https://…`).
      if (src[j] === '/' && src[j + 1] !== '*') j = skipWord(src, j)
      else if (src[j] === ':' && /[A-Za-z0-9%/?&=._~!$+-]/.test(src[j + 1] ?? ' '))
        j = skipWord(src, j)
      tokens.push({ kind: 'ident', text: src.slice(i, j), start: i, end: j })
      i = j
    } else if (PUNCT.has(c)) {
      tokens.push({ kind: 'punct', text: c, start: i, end: i + 1 })
      i++
    } else {
      // Numbers, paths (./x, ../x, <nixpkgs>, ~/x), operators: opaque, one word at a time.
      const j = Math.max(skipWord(src, i), i + 1)
      tokens.push({ kind: 'other', text: src.slice(i, j), start: i, end: j })
      i = j
    }
  }
  return tokens
}

/** Up to the next character that cannot continue a path, number or operator. */
function skipWord(src: string, i: number): number {
  let j = i
  while (j < src.length && !/[\s{}[\]();,"=]/.test(src[j] as string)) {
    if (src[j] === '#' || (src[j] === '/' && src[j + 1] === '*')) break
    j++
  }
  // Operators like `==`, `!=`, `<=`, `>=` end in `=`: keep them whole.
  if (j < src.length && src[j] === '=' && j > i && /[=!<>]/.test(src[j - 1] as string)) j++
  else if (j === i && src[j] === '=' && src[j + 1] === '=') j += 2
  return j
}

function skipDoubleQuoted(src: string, start: number): number {
  let i = start + 1
  while (i < src.length) {
    const c = src[i]
    if (c === '\\') i += 2
    else if (c === '"') return i + 1
    else if (c === '$' && src[i + 1] === '{') i = skipInterpolation(src, i + 2)
    else i++
  }
  throw new NixLexError('unterminated string', start)
}

function skipIndented(src: string, start: number): number {
  let i = start + 2
  while (i < src.length) {
    if (src.startsWith("'''", i)) i += 3
    else if (src.startsWith("''$", i) || src.startsWith("''\\", i)) i += 3
    else if (src.startsWith("''", i)) return i + 2
    else if (src[i] === '$' && src[i + 1] === '{') i = skipInterpolation(src, i + 2)
    else i++
  }
  throw new NixLexError("unterminated '' string", start)
}

/** From just after `${` to just after its closing `}`. */
function skipInterpolation(src: string, from: number): number {
  let depth = 1
  let i = from
  while (i < src.length) {
    const c = src[i]
    if (c === '"') i = skipDoubleQuoted(src, i)
    else if (c === "'" && src[i + 1] === "'") i = skipIndented(src, i)
    else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++
    } else if (c === '{') {
      depth++
      i++
    } else if (c === '}') {
      depth--
      i++
      if (depth === 0) return i
    } else i++
  }
  throw new NixLexError('unterminated ${ interpolation', from - 2)
}

/** 1-based line of a byte offset, for messages that point into the file. */
export function lineOf(src: string, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < src.length; i++) if (src[i] === '\n') line++
  return line
}
