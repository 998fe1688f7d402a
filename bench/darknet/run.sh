#!/usr/bin/env bash
# The telescope beside tshark on the same capture, in one run (docs/darknet.md, "Performance").
# Usage: bench/darknet/run.sh [BUILD_DIR] [FILE]   (needs target darknet_bench; tshark).
# Without FILE, a telescope-like capture of ${PACKETS:-4000000} packets from ${SOURCES:-400000}
# sources is written to ${TMPDIR:-/tmp}. Both read it from the page cache (read once before).
set -euo pipefail
build=${1:-build}
bench=$build/bench/darknet/darknet_bench
file=${2:-${TMPDIR:-/tmp}/darknet-bench-${PACKETS:-4000000}.pcap}
if [ ! -f "$file" ]; then
  "$bench" make "$file" "${PACKETS:-4000000}" "${SOURCES:-400000}"
fi
cat "$file" >/dev/null
echo "capture: $file ($(stat -c %s "$file") bytes)"
# One core each: taskset pins both to CPU 0.
/usr/bin/time -f "%e %U %S %M" -o /tmp/darknet-bench-tshark.time \
  taskset -c 0 tshark -r "$file" -T fields -e ip.src >/dev/null 2>&1
/usr/bin/time -f "%e %U %S %M" -o /tmp/darknet-bench-blackout.time \
  taskset -c 0 "$bench" count "$file" | tee /tmp/darknet-bench-blackout.out
read -r tw tu ts tm < /tmp/darknet-bench-tshark.time
read -r bw bu bs bm < /tmp/darknet-bench-blackout.time
printf "tshark -T fields -e ip.src  wall %7.2f s  cpu %7.2f s  peak RSS %5d MiB\n" "$tw" \
  "$(echo "$tu + $ts" | bc)" $((tm / 1024))
printf "blackout (geo load incl.)   wall %7.2f s  cpu %7.2f s  peak RSS %5d MiB\n" "$bw" \
  "$(echo "$bu + $bs" | bc)" $((bm / 1024))
# CPU seconds, not wall: on a shared machine wall time measures the neighbours too.
loop=$(sed -n 's/.* in \([0-9.]*\) s of CPU.*/\1/p' /tmp/darknet-bench-blackout.out)
tc=$(echo "$tu + $ts" | bc); bc_=$(echo "$bu + $bs" | bc)
echo "ratio (CPU): whole process $(echo "scale=1; $tc / $bc_" | bc)x; packet loop alone $(echo "scale=1; $tc / $loop" | bc)x"
"$bench" memory "${MEMORY_SOURCES:-1000000}"
