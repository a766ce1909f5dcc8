#!/bin/sh
# Builds the images simulated csb1 already had before the migration (the
# local base, its main stack, the v1 dashboard) into an empty Docker data
# directory, once per change of their inputs. Every rehearsal's csb1 starts
# from a copy of it, as the real csb1 starts with its images already built;
# the v2 image is never in it: phase 2 builds that during the rehearsal.
#
# Runs as the command of a one-off container of the csb1 image (dockerd
# without systemd), with the data directory at /var/lib/docker and the
# sources read-only under /seed: docker/ (main stack) and nixfleet/ (v1).
set -eu
dockerd >/tmp/dockerd.log 2>&1 &
daemon=$!
i=0
until docker info >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -gt 120 ]; then
    echo "csb1 seed: dockerd did not answer within 60 s:" >&2
    cat /tmp/dockerd.log >&2
    exit 1
  fi
  sleep 0.5
done
docker load -q -i /var/lib/runbook-sim/images/nixfleet-base.tar
# Built where csb1 has them, so that compose names the images as it will there.
cd /seed/docker && docker compose build -q
# v1 as csb1 builds it: its own compose file, project `docker` (image docker_nixfleet).
cd /seed/docker/nixfleet && docker compose -f docker/docker-compose.csb1.yml --env-file .env build -q
docker image ls --format '{{.Repository}}:{{.Tag}}' >&2
kill "$daemon"
wait "$daemon" || true
