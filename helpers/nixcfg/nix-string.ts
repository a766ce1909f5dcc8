/**
 * A value written into a Nix file as a double-quoted Nix string: `\`, `"`
 * and `${` (which would start an interpolation and evaluate whatever follows)
 * are escaped, as are newlines, tabs and carriage returns. JSON's escaping is
 * not enough: it leaves `${` alone.
 */
export function nixString(value: string): string {
  const body = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\$\{/g, '\\${')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
  return `"${body}"`
}
