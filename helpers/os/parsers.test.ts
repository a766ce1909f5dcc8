import { describe, expect, it } from 'vitest'
import { parseLaunchctlPrint } from './macos.ts'
import { parseUnitShow } from './nixos.ts'

describe('reading OS state', () => {
  it('reads launchctl print gui/<uid>/<label> as macOS prints it', () => {
    const running =
      'gui/501/com.nixfleet.agent = {\n\tactive count = 1\n\tpath = /Users/mba/Library/LaunchAgents/com.nixfleet.agent.plist\n\tstate = running\n\n\tprogram = /bin/bash\n\tpid = 4242\n\tlast exit code = 0\n}\n'
    expect(parseLaunchctlPrint(running, 'com.nixfleet.agent')).toEqual({
      pid: 4242,
      lastExitStatus: 0,
      label: 'com.nixfleet.agent',
    })
    const crashed = running
      .replace('state = running', 'state = not running')
      .replace('\tpid = 4242\n', '')
      .replace('last exit code = 0', 'last exit code = 78')
    expect(parseLaunchctlPrint(crashed, 'com.nixfleet.agent')).toEqual({
      pid: null,
      lastExitStatus: 78,
      label: 'com.nixfleet.agent',
    })
    expect(
      parseLaunchctlPrint(
        'Could not find service "com.nixfleet.agent" in domain for user gui: 501\n',
        'com.nixfleet.agent',
      ),
    ).toBeUndefined()
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
