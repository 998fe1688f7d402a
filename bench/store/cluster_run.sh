#!/usr/bin/env bash
# Ingest into one ClickHouse server and into the replicated cluster (2 shards x 2 replicas +
# ZooKeeper) from 4 writers, both started by the program on loopback, in one run.
# Usage: bench/store/cluster_run.sh [BUILD_DIR] [WRITERS] [BATCHES] [SERIES] [BINS]
# (needs target cluster_ingest; clickhouse-server and zookeeperd from scripts/deps/store.apt).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
shift || true
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
BLACKOUT_SOURCE_DIR=$PWD "$build/bench/store/cluster_ingest" "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
