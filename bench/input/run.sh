#!/usr/bin/env bash
# InputStream decompression throughput vs the system decompressors on the same files, in one run.
# Usage: bench/input/run.sh [BUILD_DIR] FILE...   (needs target input_drain). Best of ${REPEAT:-3}.
set -euo pipefail
build=${1:-build}; shift
drain=$build/bench/input/input_drain
for f in "$@"; do
  case $(head -c 6 "$f" | od -An -tx1 | tr -d ' \n') in
    1f8b*) dec=zcat;; 425a68*) dec=bzcat;; fd377a585a00) dec=xzcat;; 28b52ffd*) dec=zstdcat;; *) dec=cat;;
  esac
  for cmd in "$dec '$f'" "'$drain' '$f'"; do
    best=999999; cpu=0
    for _ in $(seq "${REPEAT:-3}"); do
      /usr/bin/time -f "%e %U %S" -o /tmp/input-bench-time.out sh -c "$cmd >/dev/null 2>&1" || true
      read -r w c < <(tail -1 /tmp/input-bench-time.out | awk '{print $1, $2 + $3}')
      if awk -v a="$w" -v b="$best" 'BEGIN{exit !(a < b)}'; then best=$w; cpu=$c; fi
    done
    printf "%-40s %-14s wall %6.2f s  cpu %6.2f s\n" "$(basename "$f")" "${cmd%% *}" "$best" "$cpu"
  done
done
