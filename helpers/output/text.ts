/** The last `lines` lines of a text, marked with "…" when cut (command output in errors and the journal). */
export function tail(text: string, lines = 15): string {
  const all = text.trimEnd().split('\n')
  return (all.length > lines ? ['…', ...all.slice(-lines)] : all).join('\n')
}
