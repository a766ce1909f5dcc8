#!/bin/sh
# First boot of simulated csb1: the state before the migration, laid out as
# the real csb1 was (reference §3). The main stack (front + neighbours, Compose
# project csb1) runs from ~/docker; the nixfleet checkout sits at its v1 commit
# in ~/docker/nixfleet with v1's .env (v1 names), and v1 runs from
# docker/docker-compose.csb1.yml (project `docker`, container `nixfleet`) with
# its database in the named volume docker_nixfleet-data, not in the checkout.
# There is no ~/secrets/nixfleet.env yet: the migration writes it.
set -eu
user=mba
home=/home/$user
seed=/var/lib/runbook-sim/seed
as_user() { runuser -u "$user" -- env HOME="$home" "$@"; }
chown -R "$user:users" "$home/docker"
as_user git clone --quiet https://github.com/markus-barta/nixfleet.git "$home/docker/nixfleet"
cd "$home/docker/nixfleet"
as_user git reset --quiet --hard "$(cat $seed/v1-commit)"
install -o "$user" -g users -m 600 "$seed/v1.env" .env
# Where csb1 keeps its services' secrets (the other stacks' env files); nixfleet's is not there yet.
install -d -o "$user" -g users -m 700 "$home/secrets"
# The engine starts in parallel with this machine's provisioning (which runs
# before sshd); the files above needed none of it. Waits for it here.
systemctl start runbook-inner-images.service
# The images come with csb1's Docker data (the rehearsal's csb1 seed); compose
# builds any that is missing. The main stack first: it creates the network v1 joins.
cd "$home/docker" && as_user docker compose up -d
cd "$home/docker/nixfleet"
v1() { as_user docker compose -f docker/docker-compose.csb1.yml --env-file .env "$@"; }
# The database goes into the volume before v1 first starts, as months of v1 left it there.
v1 up --no-start
as_user docker cp "$seed/nixfleet.db" nixfleet:/data/nixfleet.db
v1 up -d
# The state before the migration: v1 healthy, so Traefik routes fleet.barta.cm to it.
i=0
until [ "$(docker inspect -f '{{.State.Health.Status}}' nixfleet 2>/dev/null)" = healthy ]; do
  i=$((i + 1))
  if [ "$i" -gt 120 ]; then
    echo "csb1 first boot: v1 (container nixfleet) not healthy within 60 s" >&2
    exit 1
  fi
  sleep 0.5
done
