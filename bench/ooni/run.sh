#!/usr/bin/env bash
# OONI import throughput vs python3's json, on a .jsonl.gz corpus made at bench time from the 16
# real measurements in shared/data/ooni (replicated COPIES times, default 2000 = 32,000
# measurements; never stored in the repository). Usage: bench/ooni/run.sh [BUILD_DIR]
# (needs target ooni_read). Prints the best of ${REPEAT:-3} runs of each.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
data=${BLACKOUT_DATA:-../shared/data}/ooni
[ -d "$data" ] || { echo "no OONI data at $data (set BLACKOUT_DATA)" >&2; exit 1; }
work=/tmp/blackout-bench/ooni
mkdir -p "$work"
corpus=$work/corpus-${COPIES:-2000}.jsonl.gz
small=$work/corpus-small-${COPIES:-2000}.jsonl.gz
if [ ! -s "$corpus" ]; then
  python3 - "$data" "${COPIES:-2000}" "$corpus" "$small" <<'PY'
import gzip, json, pathlib, sys
data, copies, out, small = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
lines = [json.dumps(json.loads(p.read_text())) for p in sorted(data.glob("*/*.json"))]
# The "small" mix leaves out the two large probe-cli web_connectivity runs (84 and 352 KB):
# the data store's measurements are mostly a few KB.
few = [l for l in lines if len(l) < 60000]
for path, mix in ((out, lines), (small, few)):
    with gzip.open(path, "wt", compresslevel=6) as f:
        for _ in range(copies):
            f.write("\n".join(mix) + "\n")
PY
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for f in "$corpus" "$small"; do
  echo "== $(basename "$f"): $(stat -c %s "$f") bytes gzip"
  for _ in $(seq "${REPEAT:-3}"); do "$build/bench/ooni/ooni_read" "$f"; done | sort -t= -k2 -n | tail -1
  for _ in $(seq "${REPEAT:-3}"); do "$build/bench/ooni/ooni_read" --memory "$f"; done | sort -t= -k2 -n | tail -1
  for _ in $(seq "${REPEAT:-3}"); do zcat "$f" | python3 bench/ooni/extract.py; done | sort -t= -k2 -n | tail -1
  /usr/bin/time -f "zcat alone: cpu %U+%S s, wall %e s (the python pipeline's other process)" \
    zcat "$f" >/dev/null
  # The floor for any reader of this file on one core: ISA-L's own igzip, inflate alone.
  for _ in $(seq "${REPEAT:-3}"); do
    /usr/bin/time -f "%U %S" igzip -dc "$f" 2>&1 >/dev/null | tail -1
  done | awk -v n="$(zcat "$f" | wc -l)" '{ t = $1 + $2; if (best == "" || t < best) best = t }
    END { printf "igzip -dc alone (inflate, no parsing): cpu %.3f s = %.0f measurements/s\n", best, n / best }'

done
