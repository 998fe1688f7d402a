#!/usr/bin/env bash
# Configures and builds blackout into ./build (Release, warnings as errors under CI).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BLACKOUT_BUILD_DIR:-build}
# ccache keys on paths relative to the checkout, so clones in other folders reuse the cache.
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true
werror=OFF; [ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${BLACKOUT_BUILD_TYPE:-RelWithDebInfo} \
  -DBLACKOUT_WERROR=$werror >/dev/null
cmake --build "$build" -j"$(nproc)" "$@"
