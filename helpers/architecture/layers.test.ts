import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { layerViolations } from './layers.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

describe('product layers: no import from a lower layer to a higher one', () => {
  it('holds across helpers/', () => {
    expect(layerViolations(ROOT).map((v) => `${v.file} → ${v.imports}: ${v.why}`)).toEqual([])
  })

  it('catches a journal that reaches up into host verbs, and a folder in no layer', () => {
    const files = ['helpers/transcript/probe.ts', 'helpers/gadgets/probe.ts']
    const text: Record<string, string> = {
      'helpers/transcript/probe.ts': "import { tail } from '../hosts/errors.ts'",
      'helpers/gadgets/probe.ts': "import { say } from '../output/say.ts'",
    }
    expect(layerViolations(ROOT, files, (f) => text[f] ?? '')).toEqual([
      {
        file: 'helpers/transcript/probe.ts',
        imports: 'helpers/hosts/errors.ts',
        why: 'helpers/transcript (layer 1) must not import helpers/hosts (layer 2)',
      },
      {
        file: 'helpers/gadgets/probe.ts',
        imports: 'helpers/output/say.ts',
        why: 'helpers/gadgets is in no layer',
      },
    ])
  })
})
