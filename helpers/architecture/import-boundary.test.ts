import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { boundaryViolations, rehearsalImports } from './import-boundary.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

describe('the product never imports the rehearsal world', () => {
  it('no file under helpers/ or specs/ imports anything under rehearsal/', () => {
    const found = boundaryViolations(ROOT)
    expect(
      found.map((v) => `${v.file} imports ${v.specifier}`),
      'product code must reach the rehearsal only through the target description (REHEARSAL_TARGET_FILE)',
    ).toEqual([])
  })

  it('catches every form of import that would cross the boundary', () => {
    const text = [
      "import { paths } from '../../rehearsal/world/state.ts'",
      "import type { World } from '../../rehearsal/world/world.ts'",
      "export { fleetUp } from '../../rehearsal/world/fleet-lifecycle.ts'",
      "const m = await import('../../rehearsal/world/faults.ts')",
      // Not crossings: a sibling folder that merely has the word in it, and a package.
      "import { x } from '../rehearsal-notes/x.ts'",
      "import { z } from 'zod'",
    ].join('\n')
    expect(rehearsalImports(ROOT, 'helpers/nixcfg/probe.ts', text).map((v) => v.specifier)).toEqual(
      [
        '../../rehearsal/world/state.ts',
        '../../rehearsal/world/world.ts',
        '../../rehearsal/world/fleet-lifecycle.ts',
        '../../rehearsal/world/faults.ts',
      ],
    )
  })
})
