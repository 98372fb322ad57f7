#!/usr/bin/env bash
# Builds and runs Warden with its embedded defaults (SQLite under ./warden-data, 127.0.0.1:8080):
# installs what it needs, starts a Docker daemon if none runs, builds warden and the agent image.
# Extra arguments go to `warden serve`, e.g. bash deploy/run.sh --listen 0.0.0.0:8080
# Model keys come from the environment (ANTHROPIC_API_KEY, OPENAI_API_KEY; stored encrypted in
# the data directory's vault) with --anthropic-base-url / --openai-base-url.
set -euo pipefail
cd "$(dirname "$0")/.."
serve_args=("$@")
set --   # setup.sh takes extra packages as arguments; ours are for `warden serve`
source deploy/setup.sh
./deploy/docker.sh
swift build -c release --product warden
swift build -c release --product warden-agent --static-swift-stdlib
image=$($SUDO bash deploy/agent-image/build.sh --agent .build/release/warden-agent | tail -n 1)
exec .build/release/warden serve --agent-image "$image" "${serve_args[@]}"
