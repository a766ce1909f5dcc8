/**
 * Remote-shell quoting, in one place. Every command sent to a host is built
 * with the `sh` tag: interpolated values are single-quoted for POSIX sh (and
 * zsh/bash on macOS), so a path or a commit message can never become syntax.
 */

/** A fragment that is already shell syntax and must not be quoted again. */
export class ShellFragment {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text
  }
}

export function quote(arg: string | number): string {
  const s = String(arg)
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s
  return `'${s.replace(/'/g, `'\\''`)}'`
}

/**
 * A path as an operator types it: `~/Code/nixcfg` means the remote user's
 * home. Quoting the tilde would make it literal, so it becomes "$HOME".
 */
export function remotePath(p: string): ShellFragment {
  if (p === '~') return new ShellFragment('"$HOME"')
  if (p.startsWith('~/')) return new ShellFragment(`"$HOME"/${quote(p.slice(2))}`)
  if (p.startsWith('~'))
    throw new Error(`unsupported path "${p}": only ~/ (the login user's home) is expanded`)
  return new ShellFragment(quote(p))
}

export const raw = (text: string): ShellFragment => new ShellFragment(text)

type Arg = string | number | ShellFragment | readonly (string | number | ShellFragment)[]

function render(v: Arg): string {
  if (v instanceof ShellFragment) return v.text
  if (Array.isArray(v))
    return (v as readonly (string | number | ShellFragment)[]).map(render).join(' ')
  return quote(v as string | number)
}

/** sh`cd ${remotePath(dir)} && git commit -m ${msg}` */
export function sh(strings: TemplateStringsArray, ...values: Arg[]): string {
  return strings.reduce(
    (out, s, i) => out + s + (i < values.length ? render(values[i] as Arg) : ''),
    '',
  )
}
