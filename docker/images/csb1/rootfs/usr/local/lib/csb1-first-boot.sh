#!/bin/sh
# First boot of simulated csb1: the state before the migration. The main stack
# (front + neighbours) runs from ~/docker, the nixfleet checkout sits at its v1
# commit in ~/docker/nixfleet (origin/main already has v2, so `git pull` brings
# it), with the v1 .env and the v1 database, and the v1 dashboard is up.
set -eu
user=mba
home=/home/$user
seed=/var/lib/runbook-sim/seed
as_user() { runuser -u "$user" -- env HOME="$home" "$@"; }
chown -R "$user:users" "$home/docker"
as_user git clone --quiet https://github.com/markus-barta/nixfleet.git "$home/docker/nixfleet"
cd "$home/docker/nixfleet"
as_user git reset --quiet --hard "$(cat $seed/v1-commit)"
as_user mkdir -p data
install -o "$user" -g users -m 600 "$seed/v1.env" .env
install -o "$user" -g users -m 644 "$seed/nixfleet.db" data/nixfleet.db
# The engine starts in parallel with this machine's provisioning (which runs
# before sshd); the files above needed none of it. Waits for it here.
systemctl start runbook-inner-images.service
# The images come with csb1's Docker data (the rehearsal's csb1 seed); compose
# builds any that is missing. The main stack first: it creates the network v1 joins.
cd "$home/docker" && as_user docker compose up -d
cd "$home/docker/nixfleet" && as_user docker compose up -d
