#!/usr/bin/env bash
# Network-namespace testbed for multi-site probing (docs/probe.md, "Multi-site judgement"): one
# responder answering for the watched /24s, one observatory, and N vantage points, each with its
# own uplink to the responder and its own management link to the observatory:
#
#   NAME-r   responder:  `ip route add local 198.18.X.0/24 dev lo` for each watched /24
#   NAME-o   observatory (runs `blackout run`); reachable from vantage point K at 198.19.(100+K).2
#   NAME-K   vantage point K (1..N): uplink NAMEtK 198.19.K.1/30 <-> NAMEuK 198.19.K.2/30 (in
#            NAME-r), route 198.18.0.0/16 via 198.19.K.2 (nothing else); management link NAMEmK
#            198.19.(100+K).1/30 <-> NAMEoK 198.19.(100+K).2/30 (in NAME-o)
#
# Only 198.18.0.0/15 (RFC 2544 benchmarking) is used. Faults are nftables sets (table inet testbed):
# in the responder, `cut` (target prefixes that stop answering) and `dead` (vantage points' uplinks
# whose packets are dropped: the vantage point's own connectivity is gone); in the observatory,
# `dead` (management links whose packets are dropped: the observatory is unreachable from there).
#
# Usage:
#   multisite.sh up NAME FIRST LAST N     namespaces, links, local routes for 198.18.FIRST..LAST.0/24
#   multisite.sh down NAME N              delete every namespace of the testbed
#   multisite.sh cut|restore NAME PREFIX...     target prefixes stop / resume answering
#   multisite.sh uplink-down|uplink-up NAME K   vantage point K's uplink dead / back
#   multisite.sh report-down|report-up NAME K   vantage point K cannot / can reach the observatory
#   multisite.sh exec NAME NS CMD...      run CMD in namespace NS (r, o or a vantage number)
set -euo pipefail

die() { echo "multisite.sh: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: multisite.sh COMMAND NAME ... (see the header of this script)"
cmd=$1 name=$2
shift 2
[[ $name =~ ^[a-z0-9]{1,10}$ ]] || die "NAME must be 1-10 of [a-z0-9] (interface names are <= 15)"
R=$name-r O=$name-o

check_prefix() {
  [[ $1 =~ ^198\.(18|19)\.[0-9]{1,3}\.[0-9]{1,3}/(1[5-9]|2[0-9]|3[0-2])$ ]] ||
    die "prefix $1 is outside 198.18.0.0/15; the testbed uses nothing else"
}
check_k() { [[ $1 =~ ^[1-9]$ ]] || die "vantage point number must be 1-9"; }

case $cmd in
  up)
    [ $# -eq 3 ] || die "up NAME FIRST LAST N"
    first=$1 last=$2 n=$3
    [ "$first" -ge 0 ] && [ "$last" -le 255 ] && [ "$first" -le "$last" ] || die "blocks 0..255"
    check_k "$n"
    trap '"$0" down "$name" "$n" >/dev/null 2>&1' ERR
    ip netns add "$R"
    ip netns add "$O"
    for ns in "$R" "$O"; do ip -n "$ns" link set lo up; done
    for ((k = 1; k <= n; k++)); do
      V=$name-$k
      ip netns add "$V"
      ip -n "$V" link set lo up
      ip link add "${name}t$k" netns "$V" type veth peer name "${name}u$k" netns "$R"
      ip -n "$V" addr add "198.19.$k.1/30" dev "${name}t$k"
      ip -n "$R" addr add "198.19.$k.2/30" dev "${name}u$k"
      ip -n "$V" link set "${name}t$k" up
      ip -n "$R" link set "${name}u$k" up
      ip -n "$V" route add 198.18.0.0/16 via "198.19.$k.2"
      ip link add "${name}m$k" netns "$V" type veth peer name "${name}o$k" netns "$O"
      ip -n "$V" addr add "198.19.$((100 + k)).1/30" dev "${name}m$k"
      ip -n "$O" addr add "198.19.$((100 + k)).2/30" dev "${name}o$k"
      ip -n "$V" link set "${name}m$k" up
      ip -n "$O" link set "${name}o$k" up
    done
    ip netns exec "$R" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=10000000 \
      net.ipv4.icmp_msgs_burst=10000000 || true
    batch=$(mktemp)
    for ((x = first; x <= last; x++)); do echo "route add local 198.18.$x.0/24 dev lo"; done >"$batch"
    ip -n "$R" -batch "$batch"
    rm -f "$batch"
    ip netns exec "$R" nft -f - <<NFT
table inet testbed {
  set cut { type ipv4_addr; flags interval; }
  set dead { type ifname; }
  chain input {
    type filter hook input priority 0; policy accept;
    iifname @dead drop
    ip daddr @cut drop
  }
}
NFT
    ip netns exec "$O" nft -f - <<NFT
table inet testbed {
  set dead { type ifname; }
  chain input {
    type filter hook input priority 0; policy accept;
    iifname @dead drop
  }
}
NFT
    ;;
  down)
    [ $# -eq 1 ] || die "down NAME N"
    for ((k = 1; k <= $1; k++)); do ip netns del "$name-$k" 2>/dev/null || true; done
    ip netns del "$R" 2>/dev/null || true
    ip netns del "$O" 2>/dev/null || true
    ;;
  cut | restore)
    [ $# -ge 1 ] || die "$cmd NAME PREFIX..."
    for p in "$@"; do check_prefix "$p"; done
    elems=$(IFS=,; echo "$*")
    op=add; [ "$cmd" = restore ] && op=delete
    ip netns exec "$R" nft $op element inet testbed cut "{ $elems }"
    ;;
  uplink-down | uplink-up)
    [ $# -eq 1 ] && check_k "$1" || die "$cmd NAME K"
    op=add; [ "$cmd" = uplink-up ] && op=delete
    ip netns exec "$R" nft $op element inet testbed dead "{ \"${name}u$1\" }"
    ;;
  report-down | report-up)
    [ $# -eq 1 ] && check_k "$1" || die "$cmd NAME K"
    op=add; [ "$cmd" = report-up ] && op=delete
    ip netns exec "$O" nft $op element inet testbed dead "{ \"${name}o$1\" }"
    ;;
  exec)
    [ $# -ge 2 ] || die "exec NAME NS CMD..."
    ns=$1; shift
    case $ns in r) ns=$R ;; o) ns=$O ;; *) check_k "$ns"; ns=$name-$ns ;; esac
    exec ip netns exec "$ns" "$@"
    ;;
  *) die "unknown command $cmd" ;;
esac
