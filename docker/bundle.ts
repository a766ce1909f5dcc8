import { build } from 'esbuild'

/**
 * One Node 20 ESM file per entry point, for the simulated machines' and
 * csb1's images. CommonJS dependencies inside still call `require`, hence the
 * banner; ws's optional native speed-ups are left out.
 */
export async function bundleForNode(
  entryPoints: Record<string, string>,
  outdir: string,
  external: string[] = [],
): Promise<void> {
  await build({
    entryPoints,
    outdir,
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
