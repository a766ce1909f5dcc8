import { sh } from '../shell/quote.ts'
import type { DashboardContainer } from './v1-container.ts'

/**
 * Commands that reach v1's database where it really lives: in the container's
 * named volume. They run in a throw-away container of v1's own image (the
 * real one is python:3.12-slim: Python and its sqlite3 module are there; csb1
 * itself has no sqlite3), with no network, and never while v1 runs.
 */

/** SQLite's online backup of `argv[1]` to stdout: a consistent copy, WAL included, not a copy of the file's bytes. */
const BACKUP_PY = [
  'import os, sqlite3, sys',
  'src = sys.argv[1]',
  "if not os.path.exists(src): sys.exit(src + ' does not exist')",
  "s = sqlite3.connect('file:' + src + '?mode=rw', uri=True)",
  "d = sqlite3.connect('/tmp/backup.db')",
  's.backup(d)',
  'd.close()',
  's.close()',
  "sys.stdout.buffer.write(open('/tmp/backup.db', 'rb').read())",
].join('\n')

/** Rows per table of `argv[1]`, as one JSON line. */
const COUNTS_PY = [
  'import json, os, sqlite3, sys',
  'src = sys.argv[1]',
  "if not os.path.exists(src): sys.exit(src + ' does not exist')",
  "s = sqlite3.connect('file:' + src + '?mode=rw', uri=True)",
  "q = lambda n: 'select count(*) from \"' + n.replace('\"', '\"\"') + '\"'",
  'names = [r[0] for r in s.execute("select name from sqlite_master where type = \'table\' order by name")]',
  'print(json.dumps({n: s.execute(q(n)).fetchone()[0] for n in names}))',
].join('\n')

function run(
  c: DashboardContainer,
  volume: string,
  dir: string,
  entrypoint: 'python3' | 'sh',
  script: string,
  args: string[],
): string {
  return sh`docker run --rm -i --network none -v ${`${volume}:${dir}`} --entrypoint ${entrypoint} ${c.image} -c ${script} ${args}`
}

export const v1Volume = {
  /** Writes a SQLite backup of `file` (inside the volume) to stdout. */
  backup: (c: DashboardContainer, volume: string, dir: string, file: string): string =>
    run(c, volume, dir, 'python3', BACKUP_PY, [file]),
  /** Prints `{"table": rows, …}` for `file`. */
  counts: (c: DashboardContainer, volume: string, dir: string, file: string): string =>
    run(c, volume, dir, 'python3', COUNTS_PY, [file]),
  /** Prints `file`'s bytes as base64 (for reading it back here). */
  base64: (c: DashboardContainer, volume: string, dir: string, file: string): string =>
    run(c, volume, dir, 'sh', 'base64 "$1"', ['sh', file]),
  /** Prints the sha256 of `file`, or nothing when it is absent. */
  sha256: (c: DashboardContainer, volume: string, dir: string, file: string): string =>
    run(c, volume, dir, 'sh', '[ ! -e "$1" ] || sha256sum "$1"', ['sh', file]),
  /**
   * Replaces `file` with stdin: what is there (and a -wal/-shm SQLite would
   * replay into the new file) is moved aside under `.before-rollback-<stamp>`,
   * never deleted; the new file is written beside it and renamed into place.
   * Prints the names set aside.
   */
  restore: (
    c: DashboardContainer,
    volume: string,
    dir: string,
    file: string,
    stamp: string,
  ): string =>
    run(
      c,
      volume,
      dir,
      'sh',
      [
        'set -eu',
        'f=$1; s=$2',
        'cat > "$f.restoring"',
        'for x in "$f" "$f-wal" "$f-shm"; do if [ -e "$x" ]; then mv "$x" "$x.before-rollback-$s"; echo "$x.before-rollback-$s"; fi; done',
        'mv "$f.restoring" "$f"',
      ].join('; '),
      ['sh', file, stamp],
    ),
}
