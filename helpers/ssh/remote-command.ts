/**
 * The one place that builds the command line sent over SSH. sshd hands it to
 * the user's login shell, which on the real fleet is fish: POSIX syntax such
 * as `$$` is an error there, and fish 3.6 reports it on stderr and exits 0
 * with nothing run. So the runbook's command (POSIX shell) travels base64
 * encoded inside a line that reads the same in fish, bash, zsh and csh, and
 * `sh` runs it. The first thing `sh` prints is a start marker with its PID:
 * a result without the marker did not come from the runbook's command.
 */
export const START_MARKER_COMMAND = `printf '\\036runbook-pid=%s\\n' "$$" >&2`
// eslint-disable-next-line no-control-regex -- the marker starts with an ASCII record separator on purpose
export const START_MARKER = /(?:^|\n)\x1erunbook-pid=(\d+)\n/

export function remoteCommandLine(command: string): string {
  const script = `${START_MARKER_COMMAND}; ${command}`
  const b64 = Buffer.from(script, 'utf8').toString('base64')
  // Only letters, digits, + / = inside the single quotes: no quoting rule of any shell applies.
  return `exec sh -c 'eval "$(echo ${b64} | base64 --decode)"'`
}

/** The PID the wrapper printed, and stderr without the marker; undefined when the marker is absent. */
export function readStartMarker(stderr: string): { pid: string; stderr: string } | undefined {
  const m = START_MARKER.exec(stderr)
  if (!m) return undefined
  return {
    pid: m[1] as string,
    stderr: stderr.replace(START_MARKER, m[0].startsWith('\n') ? '\n' : ''),
  }
}
