#!/usr/bin/env bash
# Builds and runs Warden with its embedded defaults (SQLite under ./warden-data, 127.0.0.1:8080).
# Extra arguments go to `warden serve`, e.g. bash deploy/run.sh --listen 0.0.0.0:8080
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/setup.sh
swift build -c release --product warden
exec .build/release/warden serve "$@"
