/**
 * Runs at every boot of a simulated machine, before sshd: creates the users,
 * installs the host key and authorized keys, writes the files the world
 * describes, and clones the nixcfg checkout on first boot. Idempotent, so a
 * reboot changes nothing that the runbook did.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import type { HostProvisioning } from './host-spec.ts'

const spec = JSON.parse(readFileSync('/etc/runbook-sim/host.json', 'utf8')) as HostProvisioning
const run = (cmd: string, args: string[]): void =>
  void execFileSync(cmd, args, { stdio: 'inherit' })

function ensureUser(u: HostProvisioning['users'][number]): void {
  if (spawnSync('id', ['-u', u.name]).status !== 0) {
    mkdirSync(dirname(u.home), { recursive: true })
    run('useradd', [
      '--uid',
      String(u.uid),
      '--gid',
      'users',
      '--home-dir',
      u.home,
      '--create-home',
      '--shell',
      u.shell,
      u.name,
    ])
    run('passwd', ['-d', u.name])
    if (spec.role === 'nixos') run('usermod', ['-aG', 'systemd-journal', u.name])
  }
  for (const g of u.groups ?? []) run('usermod', ['-aG', g, u.name])
  // A home the image already had files under (csb1's ~/docker) is not created by
  // useradd and stays root's; a real user owns their home (and may add ~/secrets).
  run('chown', [`${u.name}:users`, u.home])
  const ssh = join(u.home, '.ssh')
  mkdirSync(ssh, { recursive: true, mode: 0o700 })
  writeFileSync(join(ssh, 'authorized_keys'), u.authorizedKeys.join('\n') + '\n', { mode: 0o600 })
  run('chown', ['-R', `${u.name}:users`, ssh])
  // As nix-darwin's home-manager puts it: in the user's per-user profile, which a
  // command run over SSH has on its PATH only if the login shell's start-up files add it.
  if (spec.role === 'macos') {
    const bin = `/etc/profiles/per-user/${u.name}/bin`
    mkdirSync(bin, { recursive: true })
    rmSync(join(bin, 'home-manager'), { force: true })
    symlinkSync('/usr/local/libexec/home-manager', join(bin, 'home-manager'))
  }
  const sudoers = `/etc/sudoers.d/90-${u.name}`
  if (u.sudo) writeFileSync(sudoers, `${u.name} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 })
}

function writeFiles(): void {
  // Fault "wrong-agent-token": the token files keep the wrong token across boots.
  const keepTokens = existsSync('/etc/runbook-sim/faults/wrong-agent-token')
  for (const f of spec.files) {
    if (keepTokens && /nixfleet[^/]*\/token$|nixfleet-token$/.test(f.path)) continue
    if (f.firstBootOnly && existsSync(f.path)) continue
    mkdirSync(dirname(f.path), { recursive: true })
    writeFileSync(f.path, Buffer.from(f.content, f.encoding ?? 'utf8'))
    chmodSync(f.path, parseInt(f.mode, 8))
    run('chown', [f.owner, f.path])
  }
}

function sshd(): void {
  const key = `/etc/ssh/ssh_host_${spec.hostKey.type}_key`
  // Rehearsal fault wrong-host-key: the host keeps the other key it was given.
  if (!existsSync('/etc/runbook-sim/faults/wrong-host-key')) {
    writeFileSync(key, spec.hostKey.private, { mode: 0o600 })
    writeFileSync(`${key}.pub`, spec.hostKey.public + '\n')
  }
  const forwardOnly = spec.users.filter((u) => u.forwardOnly)
  writeFileSync(
    '/etc/ssh/sshd_config.d/10-runbook.conf',
    [
      `Port ${spec.sshPort}`,
      `HostKey ${key}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      'UseDNS no',
      'ClientAliveInterval 15',
      ...forwardOnly.flatMap((u) => [
        `Match User ${u.name}`,
        '  PermitTTY no',
        '  ForceCommand /bin/false',
        '  AllowTcpForwarding local',
        // Only the simulated hosts' own names and ports: nothing outside the rehearsal.
        `  PermitOpen ${u.permitOpen?.length ? u.permitOpen.join(' ') : 'none'}`,
      ]),
    ].join('\n') + '\n',
  )
}

function trustCa(): void {
  if (!spec.caCert) return
  // Appended to the system bundle (what curl, git and the agents' NODE_EXTRA_CA_CERTS
  // read) rather than via update-ca-certificates, which takes half a minute per boot.
  const bundle = '/etc/ssl/certs/ca-certificates.crt'
  writeFileSync('/usr/local/share/ca-certificates/runbook-rehearsal-ca.crt', spec.caCert)
  if (!readFileSync(bundle, 'utf8').includes(spec.caCert.trim()))
    writeFileSync(bundle, '\n' + spec.caCert, { flag: 'a' })
}

function clone(): void {
  const c = spec.checkout
  if (!c || existsSync(join(c.path, '.git'))) return
  mkdirSync(dirname(c.path), { recursive: true })
  run('chown', [`${c.user}:users`, dirname(c.path)])
  // Retried: the git server (the gateway) boots together with the machines.
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    const r = spawnSync(
      'runuser',
      ['-u', c.user, '--', 'git', 'clone', '--quiet', '--branch', c.branch, c.repoUrl, c.path],
      { stdio: 'inherit' },
    )
    if (r.status === 0) return
    spawnSync('sleep', ['1'])
  }
  throw new Error(`cannot clone ${c.repoUrl} into ${c.path} within 120 s`)
}

/** First boot only: the host was running its configuration before the rehearsal began. */
function deploy(): void {
  const d = spec.deploy
  const marker = '/etc/runbook-sim/deployed'
  if (!d || existsSync(marker) || !spec.checkout) return
  const r = spawnSync('runuser', ['-u', d.user, '--', ...d.command], {
    cwd: spec.checkout.path,
    stdio: 'inherit',
    env: { ...process.env, HOME: spec.users.find((u) => u.name === d.user)?.home ?? '/root' },
  })
  if (r.status !== 0) throw new Error(`initial deployment failed: ${d.command.join(' ')}`)
  for (const cmd of spec.firstBoot ?? []) run('/bin/sh', ['-c', cmd])
  writeFileSync(marker, new Date().toISOString() + '\n')
}

/**
 * The machine's first boot in the rehearsal stands for one long before the
 * day: boot steps that apply what the configuration says only at a later
 * boot (the NixOS firewall) look for this mark, gone at the next boot (/run).
 */
function markFirstBoot(): void {
  const booted = '/etc/runbook-sim/booted'
  if (existsSync(booted)) return
  mkdirSync('/run/runbook-sim', { recursive: true })
  writeFileSync('/run/runbook-sim/first-boot', '')
  writeFileSync(booted, new Date().toISOString() + '\n')
}

/**
 * A machine started from a rehearsal snapshot resumes as it was saved: the
 * fleet's start leaves this mark on its disk, and this start alone is marked
 * (in /run) for the boot steps that would otherwise apply something new.
 */
function markResume(): void {
  const mark = '/etc/runbook-sim/resume'
  if (!existsSync(mark)) return
  mkdirSync('/run/runbook-sim', { recursive: true })
  writeFileSync('/run/runbook-sim/resumed', '')
  rmSync(mark)
}

markFirstBoot()
markResume()
writeFileSync('/etc/hostname', spec.hostname + '\n')
spawnSync('hostname', [spec.hostname])
for (const u of spec.users) ensureUser(u)
writeFiles()
sshd()
trustCa()
clone()
deploy()
