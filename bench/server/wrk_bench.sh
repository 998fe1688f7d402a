#!/usr/bin/env bash
# Measures `blackout run` from an empty data directory to a served dashboard, then drives wrk
# against /api/v2/outages/summary of the loaded Kazakhstan scenario, then the same summary and the
# alerts as IODA's clients ask for them (/ioda/v2: IODA-scaled scores, alerts as level changes).
# Usage:
#   bench/server/wrk_bench.sh [BUILD_DIR]      (default build)
# Prints the start-up time and wrk's report (requests/s, latency percentiles).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build}/src/cli/blackout
data=$(mktemp -d /tmp/blackout-bench.XXXXXX)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
port=${PORT:-18080}
start=$(date +%s.%N)
"$bin" run --data-dir "$data" --listen 127.0.0.1:$port > "$data/out.log" 2> "$data/err.log" &
pid=$!
until grep -q "^ready in" "$data/out.log" 2>/dev/null; do
  kill -0 $pid 2>/dev/null || { cat "$data/err.log"; exit 1; }
  sleep 0.2
done
end=$(date +%s.%N)
echo "blackout run: empty data dir -> served dashboard in $(echo "$end - $start" | bc) s"
cat "$data/out.log"
url="http://127.0.0.1:$port/api/v2/outages/summary?from=2022-01-01&until=2022-01-12"
curl -s -o /dev/null -w "summary: HTTP %{http_code}, %{size_download} bytes\n" "$url"
wrk -t1 -c32 -d${DURATION:-10}s --latency "$url"
for route in "outages/summary?from=2022-01-01&until=2022-01-12" \
             "outages/alerts?from=2022-01-01&until=2022-01-12&entityType=country&entityCode=KZ"; do
  for base in api ioda; do
    u="http://127.0.0.1:$port/$base/v2/$route"
    curl -s -o /dev/null -w "/$base/v2/${route%%\?*}: HTTP %{http_code}, %{size_download} bytes\n" "$u"
    wrk -t1 -c32 -d${DURATION:-10}s --latency "$u" | grep -E "Requests/sec|99%"
  done
done
sig="http://127.0.0.1:$port/api/v2/signals/raw/country/KZ?from=2021-12-31&until=2022-01-12"
curl -s -o /dev/null -w "signals country/KZ, 12 days, all datasources: %{time_total} s total, %{size_download} bytes\n" "$sig"
curl -s "http://127.0.0.1:$port/metrics" | grep -E 'request_duration_seconds_(sum|count)\{route="signals"'
