#!/bin/sh
# Shared final step of every simulated machine's image; $1 is its role.
set -eu
role="$1"
# Units a container must not run (no hardware clock, no gettys, no apt timers),
# and engines only csb1 uses.
systemctl mask systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer \
  e2scrub_reap.service e2scrub_all.timer fstrim.timer getty@tty1.service console-getty.service \
  nix-daemon.socket nix-daemon.service >/dev/null 2>&1
if [ "$role" != csb1 ]; then
  systemctl mask docker.service docker.socket containerd.service >/dev/null 2>&1
fi
systemctl enable runbook-provision.service ssh.service >/dev/null 2>&1
# Keys are per rehearsal, written at boot by the provisioning.
rm -f /etc/ssh/ssh_host_*
mkdir -p /nix/store /nix/var/nix/profiles /etc/runbook-sim/faults /etc/agenix-sim
# The simulated nixfleet packages, at store paths like the real ones: v1 is
# Bash (as the real v1 agent was); v2 a Node program (the Go agent's stand-in),
# one package per modelled revision (agent-packages.mjs).
v1=/nix/store/8eef91b0v1nixfleetagentpackage00-nixfleet-agent-0.4.0/bin
mkdir -p "$v1"
printf '#!/bin/sh\n/usr/local/bin/runbook-fault-gate || exit 1\nexec /bin/bash /usr/local/lib/nixfleet/agent-v1.sh\n' >"$v1/nixfleet-agent"
chmod 755 "$v1/nixfleet-agent"
/usr/local/bin/node /usr/local/lib/runbook-sim/agent-packages.mjs
case "$role" in
  nixos) systemctl enable runbook-firewall.service >/dev/null 2>&1 ;;
  csb1) systemctl enable docker.service runbook-inner-images.service runbook-firewall.service >/dev/null 2>&1 ;;
  macos)
    systemctl enable launchd-sim.service runbook-filevault.service >/dev/null 2>&1
    # home-manager as a Nix install has it: in the default profile, on the PATH a
    # launchd job gets from the agent's launcher (not in /usr/local/bin).
    mkdir -p /nix/var/nix/profiles/default/bin
    ln -sf /usr/local/libexec/home-manager /nix/var/nix/profiles/default/bin/home-manager ;;
  gateway)
    mkdir -p /srv/git
    systemctl enable git-daemon.service >/dev/null 2>&1 ;;
esac
