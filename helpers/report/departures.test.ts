import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { DEPARTURES } from './departures.ts'

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')

/** The README's departures table, one row per departure: its cells as plain text. */
function readmeRows(): string[][] {
  const start = README.indexOf("## Departures from the plan's text")
  const section = README.slice(start, README.indexOf('\n## ', start + 1))
  return section
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l))
    .slice(1)
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, '|').replace(/^`|`$/g, '')),
    )
}

describe('departures from the plan: one list, in the README and the sign-off', () => {
  it('the README table lists every departure, in order, with the same words', () => {
    expect(readmeRows()).toEqual(DEPARTURES.map((d) => [d.section, d.plan, d.runbook, d.why]))
  })

  it('a departure missing from the README fails the comparison', () => {
    const fewer = DEPARTURES.slice(1).map((d) => [d.section, d.plan, d.runbook, d.why])
    expect(readmeRows()).not.toEqual(fewer)
  })
})
