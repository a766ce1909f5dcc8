import { describe, expect, it } from 'vitest'
import { parseLaunchctlList } from './macos.ts'
import { parseUnitShow } from './nixos.ts'

describe('reading OS state', () => {
  it('reads launchctl list as macOS prints it', () => {
    const out =
      'PID\tStatus\tLabel\n-\t0\tcom.apple.SafariHistoryServiceAgent\n4242\t0\tcom.nixfleet.agent\n-\t78\tcom.example.crashy\n'
    expect(parseLaunchctlList(out)).toEqual([
      { pid: null, lastExitStatus: 0, label: 'com.apple.SafariHistoryServiceAgent' },
      { pid: 4242, lastExitStatus: 0, label: 'com.nixfleet.agent' },
      { pid: null, lastExitStatus: 78, label: 'com.example.crashy' },
    ])
  })

  it('reads systemctl show for present and absent units', () => {
    const running =
      'LoadState=loaded\nActiveState=active\nSubState=running\nMainPID=812\nNRestarts=2\nInvocationID=5f1c0a6e3b2d4c7e9a8b1d2e3f4a5b6c\n'
    expect(parseUnitShow(running)).toEqual({
      load: 'loaded',
      active: 'active',
      sub: 'running',
      mainPid: 812,
      restarts: 2,
      invocation: '5f1c0a6e3b2d4c7e9a8b1d2e3f4a5b6c',
    })
    const absent = 'LoadState=not-found\nActiveState=inactive\nSubState=dead\nMainPID=0\n'
    expect(parseUnitShow(absent)).toMatchObject({
      load: 'not-found',
      active: 'inactive',
      sub: 'dead',
      mainPid: 0,
    })
  })
})
