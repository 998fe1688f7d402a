#!/usr/bin/env bash
# Dashboard browser tests (node --test, playwright-core driving Debian's Chromium) against
# `blackout run` serving the Kazakhstan scenario.
set -euo pipefail
cd "$(dirname "$0")/../../web"
export BLACKOUT_BUILD_DIR=${BLACKOUT_BUILD_DIR:-build}
node --test --test-concurrency=1 test/
