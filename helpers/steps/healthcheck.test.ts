import { describe, expect, it } from 'vitest'
import { healthcheckCannotRun } from './healthcheck.ts'

describe('a healthcheck that cannot run in its image', () => {
  it('the command is missing: exec form (Docker) or shell form (exit 127)', () => {
    expect(
      healthcheckCannotRun(
        'exit -1: OCI runtime exec failed: exec failed: container_linux.go:380: starting container process caused: exec: "wget": executable file not found in $PATH: unknown',
      ),
    ).toBe(true)
    expect(healthcheckCannotRun('exit 127: /bin/sh: 1: wget: not found')).toBe(true)
  })

  it('a check that ran and failed, or none yet, may still pass: keep waiting', () => {
    expect(
      healthcheckCannotRun('exit 1: wget: server returned error: HTTP/1.1 502 Bad Gateway'),
    ).toBe(false)
    expect(
      healthcheckCannotRun("exit 1: wget: can't connect to remote host: Connection refused"),
    ).toBe(false)
    expect(healthcheckCannotRun('')).toBe(false)
  })
})
