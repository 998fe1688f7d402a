#!/usr/bin/env bash
# BMP benchmarks side by side with pmacct's pmbmpd, in one run (issue 17):
#  (a) per-peer route counts: every capture set of ../shared/data/bmp/pmacct/ replayed into
#      blackout and, over loopback, into pmbmpd (its message log replayed into tables by
#      compare.py); the peers whose counts differ are listed;
#  (b) Route Monitoring decoding speed on the 208 set (14 routers, 6,955 Route Monitoring
#      messages) repeated REPEAT times: blackout's decoder and whole sessions from memory (CPU
#      time), pmbmpd's CPU time to take the same streams from loopback sockets;
#  (c) memory of 60 synthesised full-table peers (1M IPv4 prefixes each) in the view.
# Exit status 1 when a peer's counts differ (tests/bmp runs PARTS=a as a test).
# Usage: bench/bmp/run.sh [BUILD_DIR]   (needs target bmp_bench; pmacct installed,
#        scripts/deps/bmp.apt). Work files in ${BENCH_TMP:-/tmp/blackout-bench-bmp}.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
data=${BLACKOUT_DATA:-$PWD/../shared/data}/bmp/pmacct
tmp=${BENCH_TMP:-/tmp/blackout-bench-bmp}
repeat=${REPEAT:-40}
port=${PORT:-17901}
parts=${PARTS:-abc}  # which parts to run; PARTS=a is the per-peer agreement check alone
status=0
bench=$build/bench/bmp/bmp_bench
[ -x "$bench" ] || { echo "missing $bench: build bmp_bench" >&2; exit 2; }
command -v pmbmpd >/dev/null || { echo "pmbmpd not installed (scripts/deps/bmp.apt)" >&2; exit 2; }
rm -rf "$tmp" && mkdir -p "$tmp"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

pm_pid=
stop_pmbmpd() {  # pmbmpd ends on SIGINT (SIGTERM leaves it running)
  if [ -n "$pm_pid" ]; then kill -INT "$pm_pid" 2>/dev/null || true; wait "$pm_pid" 2>/dev/null || true; fi
  pm_pid=
}
trap stop_pmbmpd EXIT
start_pmbmpd() {  # $1 = work folder, $2 = 1 to write the message log
  { echo "daemonize: false"; echo "bmp_daemon_ip: 127.0.0.1"; echo "bmp_daemon_port: $port"
    echo "bmp_daemon_max_peers: 64"; echo "logfile: $1/pmbmpd.log"
    [ "$2" = 1 ] && { echo "bmp_daemon_msglog_file: $1/msglog.json"; echo "bmp_daemon_msglog_output: json"; }
  } > "$1/pmbmpd.conf"
  pmbmpd -f "$1/pmbmpd.conf" > "$1/pmbmpd.out" 2>&1 &
  pm_pid=$!
  for _ in $(seq 300); do grep -q "waiting for BMP data" "$1/pmbmpd.log" 2>/dev/null && return; sleep 0.1; done
  echo "pmbmpd did not start: $(cat "$1/pmbmpd.log")" >&2; exit 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Sends the streams (one connection each, at once), then waits until pmbmpd's CPU time stays put.
send_and_settle() {
  python3 - "$port" "$@" <<'PY' &
import socket, sys, threading, time
socks = []
def send(i, path):
    # One loopback address per router: pmbmpd keys routers by address and drops a second
    # connection from one it already has.
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), source_address=(f"127.0.1.{i + 1}", 0))
    s.sendall(open(path, "rb").read())
    socks.append(s)
threads = [threading.Thread(target=send, args=(i, p)) for i, p in enumerate(sys.argv[2:])]
for t in threads:
    t.start()
    time.sleep(0.3)  # pmbmpd accepts one connection at a time, slowly: do not overflow its backlog
for t in threads: t.join()
time.sleep(600)  # keep the sessions open (pmbmpd would drop a closed session's tables)
PY
  local sender=$! last=-1 now stable=0
  # Settled: no CPU used for 3 s in a row (the machine may be shared: a 1 s lull is not enough).
  while [ "$stable" -lt 3 ]; do
    sleep 1; now=$(cpu_ticks "$pm_pid")
    if [ "$now" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi
    last=$now
  done
  kill "$sender" 2>/dev/null; wait "$sender" 2>/dev/null || true
}

if [[ $parts == *a* ]]; then
echo "== (a) per-peer route counts, blackout vs pmbmpd"
declare -A sets=(
  [200]="$data/200-BMP-HUAWEI-locrib_instance/traffic-00.pcap"
  [201]="$data/201-BMP-CISCO-rd_instance/traffic-00.pcap"
  [204]="$data/204-BMP-CISCO-peer_down/traffic-00.pcap"
  [205]="$data/205-BMP-6wind-FRR-peer_down/traffic-00.pcap"
  [208]="$data/208-BMP-mem-leak-test/bmp-multi-sources-init.pcap $data/208-BMP-mem-leak-test/bmp-multi-sources-peer-up.pcap $data/208-BMP-mem-leak-test/bmp-multi-sources-route-monitoring.pcap")
for set in 200 201 204 205 208; do
  w=$tmp/$set && mkdir -p "$w/streams"
  # shellcheck disable=SC2086
  "$bench" streams "$w/streams" 1 ${sets[$set]} > "$w/blackout.tsv" 2>/dev/null
  start_pmbmpd "$w" 1
  send_and_settle "$w"/streams/*.bmp
  stop_pmbmpd
  python3 bench/bmp/compare.py "$w/blackout.tsv" "$w/msglog.json" > "$w/compare.txt" || status=1
  echo "-- $set: $(tail -1 "$w/compare.txt")"
  grep -v '^peers' "$w/compare.txt" || true
done
fi

[[ $parts == *b* ]] && {
echo "== (b) Route Monitoring decoding, 208 set x $repeat"
w=$tmp/speed && mkdir -p "$w/streams"
# shellcheck disable=SC2086
"$bench" streams "$w/streams" "$repeat" ${sets[208]} > /dev/null 2>&1
# shellcheck disable=SC2086
"$bench" decode "$repeat" ${sets[208]} 2>/dev/null | tee "$w/blackout.txt"
start_pmbmpd "$w" 0
before=$(cpu_ticks "$pm_pid")
send_and_settle "$w"/streams/*.bmp
after=$(cpu_ticks "$pm_pid")
stop_pmbmpd
hz=$(getconf CLK_TCK)
python3 - "$w/blackout.txt" "$before" "$after" "$hz" "$repeat" <<'PY'
import sys
lines = {l.split("\t")[0]: l.split("\t") for l in open(sys.argv[1])}
msgs = float(lines["decode"][1].split()[0])
ours = float(lines["decode"][3].split()[0])
session = float(lines["session"][3].split()[0])
cpu = (int(sys.argv[3]) - int(sys.argv[2])) / int(sys.argv[4])
pm = msgs / cpu if cpu > 0 else float("nan")
print(f"pmbmpd\t{msgs:.0f} messages\t{cpu:.2f} s CPU\t{pm:.0f} messages/s")
print(f"ratio: decoder {ours / pm:.1f}x pmbmpd, whole sessions {session / pm:.1f}x pmbmpd")
PY
}

if [[ $parts == *c* ]]; then
  echo "== (c) memory, 60 full-table peers"
  "$bench" memory 60 1000000 2>/dev/null
fi
exit $status
