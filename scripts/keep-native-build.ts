// Keeps better-sqlite3's native build, compiled on this machine by npm ci, in
// npm's prebuild cache under the name prebuild-install looks for first. Its
// published prebuilt binary comes from GitHub, which this kind of machine
// cannot reach, so without this every npm ci of a fresh clone compiles SQLite
// again; with it, the next one unpacks this build (and loads it to check it,
// as prebuild-install does). Run by scripts/setup.sh after npm ci.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'

interface PrebuildUtil {
  getDownloadUrl(opts: object): string
  cachedPrebuild(url: string): string
}
type PrebuildRc = (pkg: object) => object

const require = createRequire(import.meta.url)
const dir = resolve('node_modules/better-sqlite3')
const binary = 'build/Release/better_sqlite3.node'
const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as object
const util = require('prebuild-install/util') as PrebuildUtil
const rc = require('prebuild-install/rc') as PrebuildRc
const cached = util.cachedPrebuild(util.getDownloadUrl({ ...rc(pkg), pkg }))
if (existsSync(cached)) process.exit(0)
if (!existsSync(`${dir}/${binary}`)) {
  process.stderr.write(`[setup] no ${binary} in ${dir}: nothing to keep\n`)
  process.exit(0)
}
mkdirSync(dirname(cached), { recursive: true })
execFileSync('tar', ['-czf', cached, '-C', dir, binary])
process.stderr.write(`[setup] kept better-sqlite3's native build for the next npm ci: ${cached}\n`)
