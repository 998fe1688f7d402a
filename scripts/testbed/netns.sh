#!/usr/bin/env bash
# Network-namespace testbed for the prober (docs/probe.md, "Testbed"). Builds two namespaces joined
# by a veth pair:
#
#   NAME-v  vantage:   198.19.255.1/30 on NAME-v0, route 198.18.0.0/15 via 198.19.255.2 (nothing else)
#   NAME-r  responder: 198.19.255.2/30 on NAME-r0, `ip route add local 198.18.X.0/24 dev lo` for
#                      each watched /24, so its kernel answers ICMP echo for every address in them
#
# Only 198.18.0.0/15 (RFC 2544 benchmarking) is ever used; the vantage namespace has no other route,
# so nothing it sends can leave for another address. Blocks are made to fail, answer partially,
# flap or be slow with nftables rules and sets in the responder (table inet testbed).
#
# Usage:
#   netns.sh up NAME FIRST LAST         namespaces + local routes for 198.18.FIRST..LAST.0/24
#   netns.sh down NAME                  delete both namespaces (and everything in them)
#   netns.sh cut NAME PREFIX...         drop every echo to these prefixes (block outage)
#   netns.sh restore NAME PREFIX...     undo cut
#   netns.sh partial NAME FRACTION PREFIX...  only ~FRACTION of each /24's addresses answer
#                                       (a scattered subset: octet o answers iff (o*37) mod 256 <
#                                       FRACTION*256)
#   netns.sh flap NAME PERIOD_S COUNT PREFIX...  cut/restore every PERIOD_S seconds, COUNT times
#                                       (runs in the background; prints its pid)
#   netns.sh slow NAME DELAY_MS         delay every packet leaving the responder by DELAY_MS (netem;
#                                       fails with a message when the kernel lacks sch_netem)
#   netns.sh capture NAME FILE          start tcpdump in the responder on its veth, writing FILE;
#                                       prints its pid (stop it with kill -INT PID)
#   netns.sh vexec NAME CMD...          run CMD in the vantage namespace
#   netns.sh rexec NAME CMD...          run CMD in the responder namespace
set -euo pipefail

die() { echo "netns.sh: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: netns.sh COMMAND NAME ... (see the header of this script)"
cmd=$1 name=$2
shift 2
[[ $name =~ ^[a-z0-9]{1,11}$ ]] || die "NAME must be 1-11 of [a-z0-9] (interface names are <= 15)"
V=$name-v R=$name-r

check_prefix() {
  local p=$1
  [[ $p =~ ^198\.(18|19)\.[0-9]{1,3}\.[0-9]{1,3}(/[0-9]{1,2})?$ ]] ||
    die "prefix $p is outside 198.18.0.0/15; the testbed uses nothing else"
  if [[ $p == */* ]]; then [ "${p#*/}" -ge 15 ] || die "prefix $p is wider than /15"; fi
}

nft_r() { ip netns exec "$R" nft "$@"; }

case $cmd in
  up)
    [ $# -eq 2 ] || die "up NAME FIRST LAST"
    first=$1 last=$2
    [ "$first" -ge 0 ] && [ "$last" -le 255 ] && [ "$first" -le "$last" ] || die "blocks 0..255"
    ip netns add "$V"
    ip netns add "$R" || { ip netns del "$V"; exit 1; }
    trap 'ip netns del "$V" 2>/dev/null; ip netns del "$R" 2>/dev/null' ERR
    ip link add "${name}v0" netns "$V" type veth peer name "${name}r0" netns "$R"
    ip -n "$V" addr add 198.19.255.1/30 dev "${name}v0"
    ip -n "$R" addr add 198.19.255.2/30 dev "${name}r0"
    for ns in "$V" "$R"; do ip -n "$ns" link set lo up; done
    ip -n "$V" link set "${name}v0" up
    ip -n "$R" link set "${name}r0" up
    ip -n "$V" route add 198.18.0.0/15 via 198.19.255.2
    # Answer as fast as the prober asks: no kernel ICMP rate limit (default 1000/s per host).
    ip netns exec "$R" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=10000000 \
      net.ipv4.icmp_msgs_burst=10000000 || true
    batch=$(mktemp)
    for ((x = first; x <= last; x++)); do echo "route add local 198.18.$x.0/24 dev lo"; done >"$batch"
    ip -n "$R" -batch "$batch"
    rm -f "$batch"
    nft_r -f - <<NFT
table inet testbed {
  set cut { type ipv4_addr; flags interval; }
  set dark { type ipv4_addr; flags interval; }
  chain input {
    type filter hook input priority 0; policy accept;
    ip daddr @cut drop
    ip daddr @dark drop
  }
}
NFT
    ;;
  down)
    ip netns del "$V" 2>/dev/null || true
    ip netns del "$R" 2>/dev/null || true
    ;;
  cut | restore)
    [ $# -ge 1 ] || die "$cmd NAME PREFIX..."
    for p in "$@"; do check_prefix "$p"; done
    elems=$(IFS=,; echo "$*")
    if [ "$cmd" = cut ]; then
      nft_r add element inet testbed cut "{ $elems }"
    else
      nft_r delete element inet testbed cut "{ $elems }"
    fi
    ;;
  partial)
    [ $# -ge 2 ] || die "partial NAME FRACTION PREFIX..."
    frac=$1; shift
    limit=$(awk -v f="$frac" 'BEGIN { printf "%d", f * 256 }')
    elems=()
    for p in "$@"; do
      check_prefix "$p"
      base=${p%/*}; base=${base%.*}
      for ((o = 0; o < 256; o++)); do
        if (((o * 37) % 256 >= limit)); then elems+=("$base.$o"); fi
      done
    done
    [ ${#elems[@]} -eq 0 ] || nft_r add element inet testbed dark "{ $(IFS=,; echo "${elems[*]}") }"
    ;;
  flap)
    [ $# -ge 3 ] || die "flap NAME PERIOD_S COUNT PREFIX..."
    period=$1 count=$2; shift 2
    for p in "$@"; do check_prefix "$p"; done
    self=$(readlink -f "$0")
    (for ((i = 0; i < count; i++)); do
       "$self" cut "$name" "$@"; sleep "$period"
       "$self" restore "$name" "$@"; sleep "$period"
     done) >/dev/null 2>&1 &
    echo $!
    ;;
  slow)
    [ $# -eq 1 ] || die "slow NAME DELAY_MS"
    ip netns exec "$R" tc qdisc replace dev "${name}r0" root netem delay "${1}ms" ||
      die "netem is not available in this kernel (sch_netem); cannot make blocks slow"
    ;;
  capture)
    [ $# -eq 1 ] || die "capture NAME FILE"
    ip netns exec "$R" tcpdump -i "${name}r0" -n -U -w "$1" icmp >/dev/null 2>&1 &
    pid=$!
    # Wait until tcpdump has opened the interface (the file gets its header).
    for _ in $(seq 100); do [ -s "$1" ] && break; sleep 0.05; done
    echo $pid
    ;;
  vexec) exec ip netns exec "$V" "$@" ;;
  rexec) exec ip netns exec "$R" "$@" ;;
  *) die "unknown command $cmd" ;;
esac
