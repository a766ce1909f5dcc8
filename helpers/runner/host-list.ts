/**
 * A host list the operator gives in an environment variable
 * (comma-separated). Every name must be one of `eligible`, or the run stops
 * before anything is touched, naming the wrong ones and the variable.
 */
export function parseHostList(
  variable: string,
  raw: string | undefined,
  eligible: string[],
  inventoryFile: string,
): string[] | undefined {
  const text = raw?.trim()
  if (!text) return undefined
  const named = [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ]
  const wrong = named.filter((n) => !eligible.includes(n))
  if (wrong.length)
    throw new Error(
      `${variable}: ${wrong.join(', ')} ${wrong.length > 1 ? 'are' : 'is'} not eligible in ${inventoryFile} (eligible: ${eligible.join(', ')})`,
    )
  return named
}
