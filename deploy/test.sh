#!/usr/bin/env bash
# Runs every test: unit and integration tests (real sockets, real SQLite, a real Docker daemon,
# started by deploy/docker.sh when none runs) with `swift test`, then
# the black-box tests (Tests/blackbox: openapi.yaml validation and schemathesis against the built
# `warden` binary, and the end-to-end agent tests with the agent image from deploy/agent-image). Does its own set-up, so it works on a fresh Debian 12 machine and in CI.
# Fails if either step fails; both always run.
set -euo pipefail
cd "$(dirname "$0")/.."
set -- curl   # the tests drive the proxy with curl as an agent would
source deploy/setup.sh
setup_python
./deploy/docker.sh

swift build --build-tests
swift build --product warden
swift build --product scripted-model
# The agent image the end-to-end tests run (cached: a rebuild with an unchanged binary takes a second).
swift build -c release --product warden-agent --static-swift-stdlib
WARDEN_AGENT_IMAGE=$($SUDO bash deploy/agent-image/build.sh --agent .build/release/warden-agent | tail -n 1)
export WARDEN_AGENT_IMAGE
echo "test: agent image $WARDEN_AGENT_IMAGE"
log=$(mktemp)
pylog=$(mktemp)
trap 'rm -f "$log" "$pylog"' EXIT
set +e
swift test --skip-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line for CI, from Swift Testing's summary.
# (grep finds nothing when all is well: `|| true` keeps pipefail and set -e from ending the script.)
summary=$(grep -E "Test run with [0-9]+ tests?" "$log" | tail -n 1 || true)
total=$(sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p' <<<"$summary")
failed_tests=$( { grep -E "^✘ Test " "$log" | grep -vE "^✘ Test run with" | grep -E "failed after" || true; } | wc -l)
if [ -n "$total" ]; then
    echo "swift-test: $((total - failed_tests)) passed, $failed_tests failed"
fi

# Black-box tests. The requirements are pinned, so a second install is a no-op.
set +e
{
    python3 -m pip install "${WARDEN_PIP_FLAGS[@]}" -r Tests/blackbox/requirements.txt &&
        python3 -m pytest -q Tests/blackbox
} 2>&1 | tee "$pylog"
py_status=${PIPESTATUS[0]}
set -e
# And one for the black-box tests, from pytest's closing line ("12 passed, 1 failed in 80.00s").
py_summary=$(grep -E "^(=+ )?[0-9]+ (passed|failed|errors?|skipped|deselected)" "$pylog" | tail -n 1 || true)
py_passed=$(sed -nE 's/.*\b([0-9]+) passed.*/\1/p' <<<"$py_summary")
py_failed=$(sed -nE 's/.*\b([0-9]+) failed.*/\1/p' <<<"$py_summary")
py_errors=$(sed -nE 's/.*\b([0-9]+) errors?.*/\1/p' <<<"$py_summary")
py_failed=$(( ${py_failed:-0} + ${py_errors:-0} ))
if [ "$py_status" -ne 0 ] && [ "$py_failed" -eq 0 ]; then py_failed=1; fi  # pip or pytest itself failed
echo "blackbox-test: ${py_passed:-0} passed, $py_failed failed"

if [ "$status" -ne 0 ]; then exit "$status"; fi
exit "$py_status"
