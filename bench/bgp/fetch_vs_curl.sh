#!/usr/bin/env bash
# Fetch throughput on loopback: `blackout fetch bgp` against curl (one process, --parallel, the same
# concurrency) over the same files from tests/bgp/archive_server.py, which serves the real rrc04
# update files of shared/data/mrt in place (symlinks in a temporary folder). Both clients share the
# same Python server, which bounds both; the figure says what the client adds, not a network's
# speed. Usage: bench/bgp/fetch_vs_curl.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rounds=${2:-3}
real=${BLACKOUT_MRT_DIR:-../shared/data/mrt/ris-rrc04-2021-01-01}
[ -d "$real" ] || real=/work/shared/data/mrt/ris-rrc04-2021-01-01
tmp=$(mktemp -d)
trap 'kill "$(cat "$tmp/pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/srv/rrc04/2021.01"
for f in "$real"/updates.*.gz; do ln -s "$(realpath "$f")" "$tmp/srv/rrc04/2021.01/"; done
python3 tests/bgp/archive_server.py --dir "$tmp/srv" --port-file "$tmp/port" --lifetime 600 &
echo $! > "$tmp/pid"
for _ in $(seq 100); do [ -f "$tmp/port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$tmp/port")"
n=$(ls "$tmp/srv/rrc04/2021.01" | wc -l)
bytes=$(cat "$tmp"/srv/rrc04/2021.01/* | wc -c)
# Case 1: the 26 real files (5.5 MB). Case 2: one 55 MB file (the 26 files ten times over, made in
# the temporary folder) for bulk throughput.
mkdir -p "$tmp/srv/big/2021.01"
for _ in $(seq 10); do cat "$real"/updates.*.gz; done > "$tmp/srv/big/2021.01/updates.20210101.0455.gz"
best() { sort -n | head -1; }
run_case() {  # COLLECTOR UNTIL
  local c=$1 until=$2 tmpl="$url/$1/{YYYY}.{MM}/updates.{YYYYMMDD}.{HHMM}.gz"
  local n bytes
  n=$(ls "$tmp/srv/$c/2021.01" | wc -l)
  bytes=$(cat "$tmp/srv/$c/2021.01"/* | wc -c)
  for f in "$tmp/srv/$c/2021.01"/*; do
    echo "url = \"$url/$c/2021.01/$(basename "$f")\""
    echo "output = \"$tmp/curl/$(basename "$f")\""
  done > "$tmp/urls"
  rm -f "$tmp/t_blackout" "$tmp/t_curl"
  for _ in $(seq "$rounds"); do
    rm -rf "$tmp/out" "$tmp/curl"; mkdir -p "$tmp/curl"
    s=$(date +%s.%N)
    "$build/src/cli/blackout" -q fetch bgp --source "$tmpl" --no-ribs \
      --from 2021-01-01T04:55:00Z --until "$until" --dir "$tmp/out" --concurrency 4
    echo "$(date +%s.%N) - $s" | bc >> "$tmp/t_blackout"
    s=$(date +%s.%N)
    curl -s --no-progress-meter --parallel --parallel-max 4 -K "$tmp/urls"
    echo "$(date +%s.%N) - $s" | bc >> "$tmp/t_curl"
  done
  cmp <(cat "$tmp/out/$c/2021.01"/*) <(cat "$tmp"/curl/*)
  local tb tc
  tb=$(best < "$tmp/t_blackout"); tc=$(best < "$tmp/t_curl")
  printf '%d files, %d bytes, best of %d rounds, concurrency 4:\n' "$n" "$bytes" "$rounds"
  printf '  blackout fetch bgp  %.3f s  %6.1f MB/s\n' "$tb" "$(echo "$bytes / $tb / 1000000" | bc -l)"
  printf '  curl --parallel     %.3f s  %6.1f MB/s\n' "$tc" "$(echo "$bytes / $tc / 1000000" | bc -l)"
}
# The client's start-up alone: blackout with nothing to fetch, curl on an empty URL list.
rm -f "$tmp/t_blackout" "$tmp/t_curl"; : > "$tmp/empty"
for _ in $(seq "$rounds"); do
  s=$(date +%s.%N)
  "$build/src/cli/blackout" -q fetch bgp --source "$url/x/{YYYYMMDD}.{HHMM}" --no-ribs --no-updates \
    --from 2021-01-01T04:55:00Z --until 2021-01-01T05:00:00Z --dir "$tmp/none"
  echo "$(date +%s.%N) - $s" | bc >> "$tmp/t_blackout"
  s=$(date +%s.%N)
  curl -s --no-progress-meter -K "$tmp/empty" || true
  echo "$(date +%s.%N) - $s" | bc >> "$tmp/t_curl"
done
printf 'start-up, no transfer: blackout %.3f s, curl %.3f s\n' "$(best < "$tmp/t_blackout")" \
  "$(best < "$tmp/t_curl")"
run_case rrc04 2021-01-01T07:05:00Z
run_case big 2021-01-01T05:00:00Z
