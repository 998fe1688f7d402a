#!/usr/bin/env bash
# Stops a cluster started by start.sh (every pid under DIR), ClickHouse nodes first, ZooKeeper
# last. Leaves DIR in place (remove it yourself to drop the data).
set -uo pipefail
dir="${1:?usage: stop.sh DIR}"
stop() {  # pidfile
  [[ -f "$1" ]] || return 0
  local pid
  pid="$(cat "$1")"
  kill "$pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
  rm -f "$1"
}
for f in "$dir"/s*r*/pid; do stop "$f"; done
stop "$dir/zk/pid"
