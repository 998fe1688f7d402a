#!/usr/bin/env bash
# Packets per second sent and replies matched, blackout's prober side by side with Debian's zmap,
# probing the same range (198.18.0.0/16: 65,536 addresses, all answering) over the same veth in the
# same netns testbed, one after the other in this run. Both are single-threaded senders; both are
# given the same rate cap (RATE, default 0 = as fast as each can go: blackout --rate 1e9, zmap's
# sender unthrottled with -r 0... zmap 2.1 treats 0 as "no limit" only with -B, so we pass a rate
# far above what one core reaches). CPU seconds are user+sys of each process.
#
# Usage: bench/probe/vs_zmap.sh [BLACKOUT_BINARY] [RATE]   (root; creates and deletes its netns)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/build/src/cli/blackout}
rate=${2:-0}
[ "$rate" = 0 ] && rate=100000000
tb=$root/scripts/testbed/netns.sh
name=bz$$
work=$(mktemp -d)
cleanup() { "$tb" down "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

"$tb" up "$name" 0 255
mac=$(ip -n "$name-r" -o link show "${name}r0" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
echo "198.18.0.0/16" >"$work/allow"
: >"$work/block"
TIMEFORMAT='%R %U %S'

run_timed() {  # prints "wall user sys" of the command on fd 3
  { time "$@" >"$work/out" 2>"$work/err"; } 3>&2 2>"$work/time"
}

# blackout: the census is the full-range scan (one probe per address, keyed random order).
run_timed "$tb" vexec "$name" "$bin" --json probe census --targets 198.18.0.0/16 \
  --allow-special 198.18.0.0/15 --rate "$rate" --timeout-ms 1000 --out "$work/hitlist"
read -r bw bu bs <"$work/time"
b_probed=$(sed -n 's/.*"probed":\([0-9]*\).*/\1/p' "$work/out")
b_replies=$(sed -n 's/.*"replies":\([0-9]*\).*/\1/p' "$work/out")

# zmap: ICMP echo scan of the same range, same cool-down.
run_timed "$tb" vexec "$name" zmap -M icmp_echoscan -i "${name}v0" -S 198.19.255.1 -G "$mac" \
  -r "$rate" -w "$work/allow" -b "$work/block" -c 1 -q -o "$work/zmap.csv" -m "$work/zmap.json"
read -r zw zu zs <"$work/time"
z_sent=$(sed -n 's/.*"total_sent": *\([0-9]*\).*/\1/p' "$work/zmap.json" | head -1)
z_replies=$(sort -u "$work/zmap.csv" | grep -c '^198\.18\.' || true)
z_start=$(sed -n 's/.*"send_start_time": *"\([^"]*\)".*/\1/p' "$work/zmap.json" | head -1)
z_send_end=$(sed -n 's/.*"send_end_time": *"\([^"]*\)".*/\1/p' "$work/zmap.json" | head -1)

awk -v bw="$bw" -v bu="$bu" -v bs="$bs" -v bp="$b_probed" -v br="$b_replies" \
    -v zw="$zw" -v zu="$zu" -v zs="$zs" -v zp="$z_sent" -v zr="$z_replies" 'BEGIN {
  # Sending time = wall time minus the 1 s cool-down both wait after the last probe.
  bsend = bw - 1; zsend = zw - 1;
  if (bsend <= 0) bsend = 0.001; if (zsend <= 0) zsend = 0.001;
  printf "%-9s %10s %10s %12s %12s %9s %14s\n", "prober", "sent", "replies", "sent/s", "replies/s", "cpu_s", "sent/cpu_s";
  printf "%-9s %10d %10d %12.0f %12.0f %9.2f %14.0f\n", "blackout", bp, br, bp / bsend, br / bsend, bu + bs, bp / (bu + bs);
  printf "%-9s %10d %10d %12.0f %12.0f %9.2f %14.0f\n", "zmap", zp, zr, zp / zsend, zr / zsend, zu + zs, zp / (zu + zs);
}'
echo "(zmap metadata: start $z_start, send end $z_send_end; wall includes start-up and 1 s cool-down)"
