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
  if (raw === undefined) return undefined
  const named = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ]
  // Set but empty (an unset shell variable expanded into it) must not mean "every host".
  if (!named.length)
    throw new Error(
      `${variable} is set but names no host: give host names (comma-separated), or unset ${variable}`,
    )
  const wrong = named.filter((n) => !eligible.includes(n))
  if (wrong.length)
    throw new Error(
      `${variable}: ${wrong.join(', ')} ${wrong.length > 1 ? 'are' : 'is'} not eligible in ${inventoryFile} (eligible: ${eligible.join(', ')})`,
    )
  return named
}
