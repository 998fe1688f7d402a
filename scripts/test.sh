#!/usr/bin/env bash
# Sets up, builds and runs every test: C++ unit and integration tests (ctest), then the other
# suites registered in scripts/test.d/*.sh (browser tests, network testbeds). Exit status is
# non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
build=${BLACKOUT_BUILD_DIR:-build}
status=0
(cd "$build" && ctest --output-on-failure -j"$(nproc)" "$@") || status=1
for s in scripts/test.d/*.sh; do
  [ -e "$s" ] || continue
  echo "== $s"
  bash "$s" || status=1
done
exit $status
