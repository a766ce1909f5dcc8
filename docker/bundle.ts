import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

/** The checkout's root: esbuild names each bundled module relative to it in its comments. */
const ROOT = fileURLToPath(new URL('..', import.meta.url))

/**
 * One Node 20 ESM file per entry point, for the simulated machines' and
 * csb1's images. CommonJS dependencies inside still call `require`, hence the
 * banner; ws's optional native speed-ups are left out. Module names are relative
 * to the checkout, whatever the caller's working directory, so a bundle's bytes
 * (and the image tag hashed from them) are the same in every clone.
 */
export async function bundleForNode(
  entryPoints: Record<string, string>,
  outdir: string,
  external: string[] = [],
): Promise<void> {
  await build({
    entryPoints,
    outdir,
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    external: ['bufferutil', 'utf-8-validate', ...external],
    logLevel: 'warning',
  })
}
