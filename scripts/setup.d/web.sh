#!/usr/bin/env bash
# Builds the dashboard bundle (web/dist) with esbuild when its sources changed since the last build.
set -euo pipefail
cd "$(dirname "$0")/../../web"
stamp=dist/index.html
if [ ! -f "$stamp" ] || [ -n "$(find src build.mjs package-lock.json -newer "$stamp" -print -quit)" ]; then
  node build.mjs
fi
