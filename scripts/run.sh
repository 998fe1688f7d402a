#!/usr/bin/env bash
# Sets up, builds, and runs the observatory's main job: `blackout run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh --target blackout_cli
exec build/src/cli/blackout run "$@"
