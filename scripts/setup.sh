#!/usr/bin/env bash
# Brings a fresh Debian 12 machine (root) to the point where the runbook's tests
# and rehearsal can run: system packages, a running Docker engine, npm deps.
# Idempotent and fast when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# Debian packages the rehearsal and the tests use:
#   docker.io + docker-compose  the simulated fleet's engine (and csb1's inner one)
#   debootstrap                 builds the offline base image (no registry here)
#   openssh-server              real sshd for the SSH unit tests
#   nix-bin                     the real Nix parser used to validate nixcfg edits
#   sqlite3                     integrity checks of dashboard databases
#   git, openssl, ca-certificates
#   chromium                    opens the sign-off report in the report tests (playwright-core)
#   fish                        the fleet's login shell, for the SSH transport's login-shell test
PACKAGES=(docker.io docker-compose debootstrap openssh-server nix-bin sqlite3 git openssl ca-certificates chromium fish)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing: ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The engine: nothing starts it for us on this kind of machine.
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  mkdir -p /var/log
  nohup dockerd >/var/log/runbook-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { log "dockerd did not answer within 60 s; see /var/log/runbook-dockerd.log"; exit 1; }
fi

# npm dependencies, reinstalled only when the lock file changed.
stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
fi
# The next fresh clone's npm ci unpacks better-sqlite3's build instead of compiling it.
npx tsx scripts/keep-native-build.ts
log "ready"
