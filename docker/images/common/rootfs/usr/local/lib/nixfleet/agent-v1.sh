#!/bin/bash
# Simulated NixFleet v1 agent. The real v1 agent was Bash + curl (reference
# §6.1), and so is this one: every NIXFLEET_INTERVAL seconds it POSTs
# /api/hosts/<host>/register over HTTPS with the bearer token; failures back
# off exponentially up to 300 s. While it runs, the v1 dashboard sees the
# host's last poll advance.
set -u
# The real v1 agent's log format ([date] [LEVEL] text) and start banner
# (agent/nixfleet-agent.sh at aaeced3dd7cce846a6ecaae9d2ccbfd1de56503e, main()):
# "NixFleet Agent Starting" with a capital S, where v2 writes "starting".
log() { echo "[$(date '+%Y-%m-%d %H:%M:%S')] [INFO] $*" >&2; }
: "${NIXFLEET_URL:?NIXFLEET_URL is required}"
: "${NIXFLEET_TOKEN:?NIXFLEET_TOKEN is required}"
case "$NIXFLEET_URL" in
  https://*) ;;
  *) [ -n "${NIXFLEET_ALLOW_INSECURE_HTTP:-}" ] || { echo "[$(date '+%Y-%m-%d %H:%M:%S')] [ERROR] NIXFLEET_URL must be https:// (got $NIXFLEET_URL)"; exit 1; } ;;
esac
interval="${NIXFLEET_INTERVAL:-30}"
host="${NIXFLEET_HOSTNAME:-$(hostname -s)}"
if [ "$(uname -s)" = Darwin ]; then host_type=macos; else host_type=nixos; fi
os_version=$(. /etc/os-release 2>/dev/null; echo "${VERSION_ID:-unknown}")
trap 'log "stopping (SIGTERM)"; exit 0' TERM

log "╔══════════════════════════════════════════════════════════════╗"
log "║                    NixFleet Agent Starting                   ║"
log "╚══════════════════════════════════════════════════════════════╝"
log "URL:         $NIXFLEET_URL (polling every ${interval}s)"
log "Host:        $host ($host_type)"
backoff=$interval
while :; do
  gen=$(git -C "${NIXFLEET_REPO_DIR:-.}" rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
  body=$(printf '{"hostname":"%s","host_type":"%s","location":"%s","device_type":"%s","theme_color":"%s","current_generation":"%s","poll_interval":%s,"agent_version":"0.4.0","os_version":"%s"}' \
    "$host" "$host_type" "${NIXFLEET_LOCATION:-}" "${NIXFLEET_DEVICE_TYPE:-}" "${NIXFLEET_THEME_COLOR:-}" "$gen" "$interval" "$os_version")
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 15 -X POST \
    -H "Authorization: Bearer $NIXFLEET_TOKEN" -H 'Content-Type: application/json' \
    --data "$body" "${NIXFLEET_URL%/}/api/hosts/$host/register" 2>/dev/null)
  if [ "${code:-000}" -ge 200 ] 2>/dev/null && [ "$code" -lt 300 ]; then
    log "registered (HTTP $code)"
    backoff=$interval
  else
    log "register failed: HTTP ${code:-000}"
    backoff=$((backoff * 2)); [ "$backoff" -gt 300 ] && backoff=300
  fi
  sleep "$backoff" & wait $!
done
