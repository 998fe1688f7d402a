#!/usr/bin/env bash
# Benchmarks of the MRT reader side by side with its peers, in one run (issue 2):
#  (a) `blackout mrt dump` vs `bgpdump -m` on the same uncompressed files, both to /dev/null;
#  (b) library iteration without output (mrt_iter_bench, Google Benchmark);
#  (c) compressed input: total time of parsing vs decompression alone (zcat/bzcat/xzcat/zstdcat);
#  (d) peak memory (max RSS) of a full-RIB dump on inputs of different sizes;
#  (e) start-up: an empty file through `blackout` (static, MRT only), `blackout-full` (every command,
#      59 shared libraries) and bgpdump (docs/cli.md).
# Usage: bench/mrt/run.sh [BUILD_DIR]   (default: build; needs targets blackout_cli, mrt_iter_bench,
#        mrt_iterate). Work files go to ${BENCH_TMP:-/tmp/blackout-bench}; the data stay in place.
# Times are the best of ${REPEAT:-3} runs (${REPEAT_PEER:-1} for bgpdump): by CPU time in (a),
# by wall clock in (c), where decompression overlaps parsing. CPU seconds are perf's task-clock (all
# threads, sub-millisecond; GNU time's user+sys in 10 ms ticks when perf is unavailable). The
# machine is shared: compare CPU ratios, and quote the load average printed at the start. Prints
# a table per part; docs/bench.md records a run.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
data=${BLACKOUT_DATA:-$PWD/../shared/data}
tmp=${BENCH_TMP:-/tmp/blackout-bench}
repeat=${REPEAT:-3}
repeat_peer=${REPEAT_PEER:-1}  # bgpdump is slow: one run unless asked
parts=${PARTS:-abcde}          # which parts to run, e.g. PARTS=cd
blackout=$build/src/cli/blackout
iterate=$build/bench/mrt/mrt_iterate
iter_bench=$build/bench/mrt/mrt_iter_bench
for b in "$blackout" "$iterate" "$iter_bench"; do
  [ -x "$b" ] || { echo "missing $b: build blackout_cli mrt_iterate mrt_iter_bench" >&2; exit 2; }
done
command -v bgpdump >/dev/null || { echo "bgpdump not installed (scripts/deps/mrt.apt)" >&2; exit 2; }
mkdir -p "$tmp"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

have_perf=0
perf stat -x, -o /dev/null -e task-clock,duration_time -- true >/dev/null 2>&1 && have_perf=1
# best {cpu|wall} COMMAND...: "WALL CPU" seconds of the run that was best by that measure, out of
# $repeat runs, with stdout and stderr to /dev/null.
best() {
  local by=$1 w c bw=999999 bc=999999
  shift
  for _ in $(seq "$repeat"); do
    if [ "$have_perf" = 1 ]; then
      perf stat -x, -o "$tmp/perf.out" -e task-clock,duration_time -- "$@" >/dev/null 2>&1 || true
      c=$(awk -F, '$3 == "task-clock" {printf "%.4f", $1 / 1000}' "$tmp/perf.out")
      w=$(awk -F, '$3 == "duration_time" {printf "%.4f", $1 / 1e9}' "$tmp/perf.out")
    else
      /usr/bin/time -f "%e %U %S" -o "$tmp/time.out" "$@" >/dev/null 2>&1 || true
      read -r w c < <(tail -1 "$tmp/time.out" | awk '{print $1, $2 + $3}')
    fi
    if [ "$by" = cpu ]; then
      if awk -v a="$c" -v b="$bc" 'BEGIN{exit !(a < b)}'; then bw=$w; bc=$c; fi
    elif awk -v a="$w" -v b="$bw" 'BEGIN{exit !(a < b)}'; then
      bw=$w; bc=$c
    fi
  done
  echo "$bw $bc"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else print "inf" }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN{ if (s > 0) printf "%.0f", n / s; else print "inf" }'; }

# Uncompressed copies of the real files (decompressed once into $tmp).
declare -A src=(
  [rib.route-views6]=mrt/hask-mrt/test/data/rib.bz2
  [bview.20020722]=mrt/bgpdump/test_data/bview.20020722.2337.gz
  [updates.et-header.2015]=mrt/bgpdump/test_data/updates.et-header.2015.gz
  [updates.rrc04.0500]=mrt/ris-rrc04-2021-01-01/updates.20210101.0500.gz
)
names=(rib.route-views6 bview.20020722 updates.et-header.2015 updates.rrc04.0500)
# Files for part (a) (default all; e.g. A_FILES="bview.20020722 updates.rrc04.0500").
read -r -a a_names <<<"${A_FILES:-${names[*]}}"
for n in "${names[@]}"; do
  f=$data/${src[$n]}
  [ -f "$f" ] || { echo "missing data file $f" >&2; exit 2; }
  [ -s "$tmp/$n.mrt" ] || { case $f in *.bz2) bzcat "$f";; *) zcat "$f";; esac; } >"$tmp/$n.mrt"
done

if [[ $parts == *a* ]]; then
echo "== (a) blackout mrt dump vs bgpdump -m, uncompressed input, output to /dev/null (best of $repeat by CPU)"
# el/s columns are per CPU second; ratio = wall ratio, cpu_rt = CPU ratio (the figure to quote).
printf "%-24s %6s %8s %7s %7s %10s %7s %7s %10s %7s %7s\n" file MB elements bgp_s bgp_cpu \
  bgp_el/cpu bo_s bo_cpu bo_el/cpu ratio cpu_rt
for n in "${a_names[@]}"; do
  f=$tmp/$n.mrt
  els=$({ "$blackout" mrt dump "$f" 2>/dev/null || true; } | wc -l)
  read -r bw bc < <(repeat=$repeat_peer best cpu bgpdump -m "$f")
  read -r ow oc < <(best cpu "$blackout" mrt dump "$f")
  printf "%-24s %6.1f %8d %7.2f %7.3f %10s %7.3f %7.4f %10s %6sx %6sx\n" "$n" \
    "$(awk -v s="$(stat -c %s "$f")" 'BEGIN{print s/1e6}')" "$els" "$bw" "$bc" "$(rate "$els" "$bc")" \
    "$ow" "$oc" "$(rate "$els" "$oc")" "$(ratio "$bw" "$ow")" "$(ratio "$bc" "$oc")"
done
fi

if [[ $parts == *b* ]]; then
echo
echo "== (b) library iteration, no output, uncompressed route-views6 RIB in memory (one core)"
"$iter_bench" --benchmark_counters_tabular=true 2>/dev/null | grep -E 'Benchmark|BM_|---'
fi

if [[ $parts == *c* ]]; then
echo
echo "== (c) compressed input: parse (mrt_iterate) and dump vs decompression alone (best of $repeat by wall)"
[ -s "$tmp/rib.route-views6.gz" ] || gzip -c "$tmp/rib.route-views6.mrt" >"$tmp/rib.route-views6.gz"
[ -s "$tmp/rib.route-views6.xz" ] || xz -T1 -c "$tmp/rib.route-views6.mrt" >"$tmp/rib.route-views6.xz"
[ -s "$tmp/rib.route-views6.zst" ] || zstd -q -c "$tmp/rib.route-views6.mrt" >"$tmp/rib.route-views6.zst"
# est_rt: max(parse thread CPU, decompression thread CPU) / decompressor CPU, i.e. the ratio of wall
# times on a machine with a free core for each thread (wall ratios are noise when it is loaded).
printf "%-28s %-8s %6s %7s %7s %7s %7s %7s %7s %7s %7s %7s\n" file decomp dec_s dec_cpu \
  parse_s p_cpu ratio thr_prs thr_dec est_rt dump_s ratio
for f in "$data/${src[rib.route-views6]}" "$tmp/rib.route-views6.gz" "$tmp/rib.route-views6.xz" \
         "$tmp/rib.route-views6.zst" "$data/${src[updates.et-header.2015]}" \
         "$data/${src[bview.20020722]}"; do
  case $f in *.bz2) dec=bzcat;; *.gz) dec=zcat;; *.xz) dec=xzcat;; *.zst) dec=zstdcat;; esac
  read -r dw dc < <(best wall "$dec" "$f")
  read -r pw pc < <(best wall "$iterate" "$f")
  read -r ow _ < <(best wall "$blackout" mrt dump "$f")
  read -r tp tt < <({ "$iterate" "$f" || true; } | awk '{print $14, $16}')
  td=$(awk -v a="$tt" -v b="$tp" 'BEGIN{printf "%.3f", a - b}')
  crit=$(awk -v a="$tp" -v b="$td" 'BEGIN{print (a > b ? a : b)}')
  printf "%-28s %-8s %6.2f %7.3f %7.2f %7.3f %6sx %7.3f %7.3f %6sx %7.2f %6sx\n" \
    "$(basename "$f")" "$dec" "$dw" "$dc" "$pw" "$pc" "$(ratio "$pw" "$dw")" "$tp" "$td" \
    "$(ratio "$crit" "$dc")" "$ow" "$(ratio "$ow" "$dw")"
done
fi

if [[ $parts == *d* ]]; then
echo
echo "== (d) peak memory (max RSS) of \`blackout mrt dump\` to /dev/null vs input size"
# A RIB n times over (each copy starts with its PEER_INDEX_TABLE): a valid, bigger file.
for k in 4; do
  [ -s "$tmp/rib.x$k.mrt" ] || for _ in $(seq $k); do cat "$tmp/rib.route-views6.mrt"; done >"$tmp/rib.x$k.mrt"
  [ -s "$tmp/rib.x$k.mrt.gz" ] || gzip -1 -c "$tmp/rib.x$k.mrt" >"$tmp/rib.x$k.mrt.gz"
done
printf "%-34s %10s %12s %10s\n" file MB elements maxrss_KiB
for f in "$tmp/updates.rrc04.0500.mrt" "$tmp/bview.20020722.mrt" "$tmp/rib.route-views6.mrt" \
         "$data/${src[rib.route-views6]}" "$tmp/rib.x4.mrt" "$tmp/rib.x4.mrt.gz"; do
  /usr/bin/time -f "%M" -o "$tmp/time.out" "$blackout" mrt dump "$f" >/dev/null 2>&1 || true
  rss=$(tail -1 "$tmp/time.out")
  els=$("$iterate" "$f" | awk '{print $6}' || true)
  printf "%-34s %10.1f %12s %10s\n" "$(basename "$f")" \
    "$(awk -v s="$(stat -c %s "$f")" 'BEGIN{print s/1e6}')" "$els" "$rss"
done
fi

if [[ $parts == *e* ]]; then
echo
echo "== (e) start-up: CPU ms to dump an empty file (best of $((repeat * 3)))"
: >"$tmp/empty.mrt"
printf "%-44s %8s\n" process cpu_ms
for cmd in "$blackout" "$build/src/cli/blackout-full" bgpdump; do
  [ "$cmd" = bgpdump ] && args=(-m) || args=(mrt dump)
  read -r _ c < <(repeat=$((repeat * 3)) best cpu "$cmd" "${args[@]}" "$tmp/empty.mrt")
  printf "%-44s %8.2f\n" "$(basename "$cmd") ${args[*]}" "$(awk -v c="$c" 'BEGIN{print c * 1000}')"
done
fi
