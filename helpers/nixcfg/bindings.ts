import { lexNix, type Token } from './nix-lexer.ts'

/**
 * One `path = value;` binding of an attribute set, with its full attribute
 * path from the file's top-level set (`services = { nixfleet-agent = { enable
 * = true; }; }` and `services.nixfleet-agent.enable = true;` both give
 * `services.nixfleet-agent.enable`).
 */
export interface Binding {
  path: string[]
  /** Offset of the binding's first token and just after its `;`. */
  start: number
  end: number
  /** The value's tokens (without the `;`). */
  value: Token[]
  /** The value is an attribute set written directly (`= {`), whose bindings are listed too. */
  isSet: boolean
  /** Under a binding whose value is not a plain set (e.g. `lib.mkIf cond { … }`): the path is a guess. */
  wrapped: boolean
}

interface Frame {
  /** Path that led to this set; null for sets that are not config (function arguments, let). */
  prefix: string[] | null
  wrapped: boolean
}

/**
 * Every attribute binding of the file, nested sets included. Bindings inside
 * `let … in` and function argument sets are not config and are skipped;
 * sets reached through anything other than `path = {` are kept but marked
 * `wrapped`, so a caller can refuse to edit through `mkIf`/`mkForce`.
 */
export function listBindings(src: string): Binding[] {
  const tokens = lexNix(src)
  const out: Binding[] = []
  walk(tokens, 0, tokens.length, { prefix: [], wrapped: false }, out, true)
  return out
}

/**
 * Scans tokens [from, to) as an expression; every `{` met opens a set. For
 * the file's top expression, the outermost set that holds bindings is the
 * module's config (after `{ args }:` and `let … in`).
 */
function walk(
  tokens: Token[],
  from: number,
  to: number,
  frame: Frame,
  out: Binding[],
  top: boolean,
): void {
  let i = from
  while (i < to) {
    const t = tokens[i] as Token
    if (t.text === 'let' && t.kind === 'ident') {
      const inAt = findLetIn(tokens, i + 1, to)
      scanBindings(tokens, i + 1, inAt, { prefix: null, wrapped: true }, out)
      i = inAt + 1
    } else if (t.text === '{') {
      const close = matching(tokens, i, to)
      const isArgs = tokens[close + 1]?.text === ':' || tokens[close + 1]?.text === '@'
      if (isArgs) {
        i = close + 1
        continue
      }
      scanBindings(
        tokens,
        i + 1,
        close,
        { prefix: frame.prefix, wrapped: frame.wrapped || !top },
        out,
      )
      i = close + 1
    } else if (t.text === '[' || t.text === '(') {
      const close = matching(tokens, i, to)
      walk(tokens, i + 1, close, frame, out, false)
      i = close + 1
    } else {
      i++
    }
  }
}

/** Bindings of one set or let-block, tokens [from, to). */
function scanBindings(
  tokens: Token[],
  from: number,
  to: number,
  frame: Frame,
  out: Binding[],
): void {
  let i = from
  while (i < to) {
    const first = tokens[i] as Token
    if (first.kind === 'ident' && first.text === 'inherit') {
      i = findAtDepth(tokens, i, to, ';') + 1
      continue
    }
    // attrpath: name (. name)* =
    const path: string[] = []
    let j = i
    while (j < to) {
      const name = tokens[j] as Token
      if (name.kind !== 'ident' && name.kind !== 'string' && name.kind !== 'other') break
      path.push(name.kind === 'string' ? name.text.slice(1, -1) : name.text)
      j++
      if (tokens[j]?.text === '.') j++
      else break
    }
    if (path.length === 0 || tokens[j]?.text !== '=') {
      // Not a binding (a stray token, e.g. `rec`): step over one token.
      i++
      continue
    }
    const valueStart = j + 1
    const semi = findAtDepth(tokens, valueStart, to, ';')
    const value = tokens.slice(valueStart, semi)
    const full = frame.prefix === null ? null : [...frame.prefix, ...path]
    // `= {…};` or `= rec {…};`: a set written out, whose bindings extend the path.
    const open = value[0]?.text === 'rec' ? valueStart + 1 : valueStart
    const isSet = tokens[open]?.text === '{' && matching(tokens, open, semi) === semi - 1
    if (full !== null)
      out.push({
        path: full,
        start: first.start,
        end: (tokens[semi] as Token).end,
        value,
        isSet,
        wrapped: frame.wrapped,
      })
    if (isSet) {
      scanBindings(tokens, open + 1, semi - 1, { prefix: full, wrapped: frame.wrapped }, out)
    } else {
      // Sets inside other expressions (mkIf cond { … }, lists, let): their paths are under `full`, but wrapped.
      walk(tokens, valueStart, semi, { prefix: full, wrapped: true }, out, false)
    }
    i = semi + 1
  }
}

const OPEN: Record<string, string> = { '{': '}', '[': ']', '(': ')' }

/** Index of the bracket closing the one at `open`. */
function matching(tokens: Token[], open: number, to: number): number {
  const stack: string[] = []
  for (let i = open; i < to; i++) {
    const t = (tokens[i] as Token).text
    if ((tokens[i] as Token).kind !== 'punct') continue
    if (t in OPEN) stack.push(OPEN[t] as string)
    else if (t === '}' || t === ']' || t === ')') {
      if (stack.pop() !== t)
        throw new Error(`unbalanced ${t} at offset ${(tokens[i] as Token).start}`)
      if (stack.length === 0) return i
    }
  }
  throw new Error(
    `unclosed ${(tokens[open] as Token).text} at offset ${(tokens[open] as Token).start}`,
  )
}

/** First `text` at bracket depth 0 from `from`, or `to`. */
function findAtDepth(tokens: Token[], from: number, to: number, text: string): number {
  let depth = 0
  for (let i = from; i < to; i++) {
    const t = tokens[i] as Token
    if (t.kind === 'punct' && t.text in OPEN) depth++
    else if (t.kind === 'punct' && (t.text === '}' || t.text === ']' || t.text === ')')) depth--
    else if (depth === 0 && t.text === text) return i
    else if (depth === 0 && t.kind === 'ident' && text === ';' && t.text === 'let') {
      // A nested let…in inside a value: its `;`s belong to it.
      i = findLetIn(tokens, i + 1, to)
    }
  }
  return to
}

function findLetIn(tokens: Token[], from: number, to: number): number {
  let depth = 0
  let lets = 0
  for (let i = from; i < to; i++) {
    const t = tokens[i] as Token
    if (t.kind === 'punct' && t.text in OPEN) depth++
    else if (t.kind === 'punct' && (t.text === '}' || t.text === ']' || t.text === ')')) depth--
    else if (depth === 0 && t.kind === 'ident' && t.text === 'let') lets++
    else if (depth === 0 && t.kind === 'ident' && t.text === 'in') {
      if (lets === 0) return i
      lets--
    }
  }
  throw new Error('`let` without `in`')
}
