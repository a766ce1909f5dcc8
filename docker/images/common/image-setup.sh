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
# The simulated nixfleet packages, at store paths like the real ones.
for v in 8eef91b0v1nixfleetagentpackage00-nixfleet-agent-0.4.0:v1 b860b3a0v2nixfleetagentpackage00-nixfleet-agent-2.0.0:v2; do
  dir="/nix/store/${v%%:*}/bin"; ver="${v##*:}"
  mkdir -p "$dir"
  cat >"$dir/nixfleet-agent" <<SH
#!/bin/sh
/usr/local/bin/runbook-fault-gate || exit 1
[ -f /usr/local/lib/runbook-sim/agent-$ver.mjs ] || { echo "nixfleet-agent: agent-$ver is not installed in this image" >&2; exit 127; }
exec /usr/local/bin/node /usr/local/lib/runbook-sim/agent-$ver.mjs
SH
  chmod 755 "$dir/nixfleet-agent"
done
case "$role" in
  macos) systemctl enable launchd-sim.service >/dev/null 2>&1 ;;
  gateway)
    mkdir -p /srv/git
    systemctl enable git-daemon.service >/dev/null 2>&1 ;;
esac
