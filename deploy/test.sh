#!/usr/bin/env bash
# Runs every test: unit and integration tests (real sockets, real SQLite) with `swift test`.
# Does its own set-up, so it works on a fresh Debian 12 machine and in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/setup.sh

swift build --build-tests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
swift test --skip-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line for CI, from Swift Testing's summary.
summary=$(grep -E "Test run with [0-9]+ tests?" "$log" | tail -n 1)
total=$(sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p' <<<"$summary")
failed_tests=$(grep -E "^✘ Test " "$log" | grep -E "failed after" | wc -l)
if [ -n "$total" ]; then
    echo "swift-test: $((total - failed_tests)) passed, $failed_tests failed"
fi
exit "$status"
