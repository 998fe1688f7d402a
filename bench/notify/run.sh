#!/usr/bin/env bash
# Webhook matching: 10,000 subscriptions against one detection pass's notices, the entity index
# vs a linear scan (the peer) in one run, on one core (CPU time of the matching thread).
# Usage: bench/notify/run.sh [BUILD_DIR] (needs target notify_match). Best of ${REPEAT:-5}.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for args in "10000 2000" "10000 200" "100000 2000"; do
  echo "== notify_match $args"
  for _ in $(seq "${REPEAT:-5}"); do taskset -c 0 "$build/bench/notify/notify_match" $args; done |
    awk '/^subscriptions/ { head = $0 } /^index/ { if (best == "" || $5 < best) { best = $5 } }
         /^linear/ { if (peer == "" || $4 < peer) { peer = $4 } }
         END { print head; printf "index best %.2f ms CPU; linear scan best %.2f ms CPU (%.0fx)\n", best, peer, peer / best }'
done
