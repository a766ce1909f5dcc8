/**
 * Whether a container's last healthcheck shows a check that cannot run in
 * its image at all (its command is missing), as `DashboardStack.health()`
 * words it (`exit <code>: <output>`). Such a check fails every retry the
 * same way, so waiting for "healthy" cannot end well: Docker's exec form
 * reports `executable file not found` (or no such file, for a path), and a
 * shell form exits 127 with `not found`.
 */
export function healthcheckCannotRun(lastCheck: string): boolean {
  if (
    /executable file not found|exec: "[^"]+": stat [^:]+: no such file or directory/.test(lastCheck)
  )
    return true
  return /^exit 127: .*not found/s.test(lastCheck)
}
