#!/usr/bin/env bash
# Regenerates the dashboard screenshots in docs/img/ (KZ page, Almaty page, report chart) on the
# Kazakhstan scenario: builds the dashboard if its sources changed, then runs
# web/bench/screenshots.mjs (which starts `blackout run` on a fresh data directory unless --url is
# given). Arguments are passed on, e.g. scripts/screenshots.sh --url http://127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.d/web.sh
export BLACKOUT_BUILD_DIR=${BLACKOUT_BUILD_DIR:-build}
node web/bench/screenshots.mjs "$@"
