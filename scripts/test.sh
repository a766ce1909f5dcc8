#!/usr/bin/env bash
# `npm test`: everything CI checks, in the order that costs least wall time.
#
# The static checks (lint, typecheck) and the unit tests need no fleet; the
# fleet tests spend most of their time waiting on simulated machines (boots,
# reboots, deadlines that are their subject). So the first two run beside the
# fleet tests, their output kept and printed when both are done; the fault
# matrix, which needs the machine to itself, runs after them, and only when
# both passed. A production target exported in the shell stops everything
# before anything starts (scripts/rehearsal-only.ts).
set -uo pipefail
cd "$(dirname "$0")/.."

npx tsx scripts/rehearsal-only.ts 'npm test' || exit $?

quick_log=$(mktemp -t runbook-static-and-unit.XXXXXX)
trap 'rm -f "$quick_log"' EXIT
# One unit test file at a time here: the fleet's boots need the CPU more, and the
# unit tests still end well before the fleet tests do.
(npm run --silent lint && npm run --silent typecheck && npx vitest run --project unit --maxWorkers=1) >"$quick_log" 2>&1 &
quick=$!

npx vitest run --project fleet
fleet_rc=$?
wait "$quick"
quick_rc=$?

echo
echo "--- static checks and unit tests (run beside the fleet tests) ---"
cat "$quick_log"
echo "--- static checks and unit tests: $([[ $quick_rc == 0 ]] && echo passed || echo "FAILED (exit $quick_rc)") ---"
failed=()
((quick_rc != 0)) && failed+=('static checks or unit tests')
((fleet_rc != 0)) && failed+=('fleet tests')
if ((${#failed[@]})); then
  echo "not running the fault matrix: $(printf '%s failed; ' "${failed[@]}")" >&2
  exit 1
fi

npx vitest run --project faults
