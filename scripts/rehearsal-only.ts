// First step of every npm script that is not an explicit production run (tests,
// benchmarks, `npm run rehearse`): a MIGRATION_TARGET=production exported in the
// operator's shell stops it here, before lint, a fleet or a child process starts.
import { forceRehearsal, TargetError } from '../helpers/config/target.ts'

const what = process.argv[2] ?? `npm run ${process.env.npm_lifecycle_event ?? '?'}`
try {
  forceRehearsal(what)
} catch (err) {
  if (!(err instanceof TargetError)) throw err
  process.stderr.write(`${err.message}\n`)
  process.exit(2)
}
