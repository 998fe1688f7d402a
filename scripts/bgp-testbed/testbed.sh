#!/usr/bin/env bash
# A real-daemon BGP testbed in network namespaces (docs/bgp.md, "End to end").
#
#   testbed.sh start DIR      build namespaces + veth links, start a BIRD 2 route collector writing
#                             MRT (BGP4MP messages and state changes: DIR/updates.mrt) and two BIRD
#                             peers, AS65001 and AS65002, that peer with each other and with the
#                             collector; waits until every session is Established.
#   testbed.sh set DIR PEER PREFIX...   make PEER (p1|p2) originate exactly these prefixes (BIRD
#                             reconfigure: removed ones are withdrawn, new ones announced)
#   testbed.sh stop DIR       stop the daemons (the collector last) and delete the namespaces;
#                             safe to run twice and on a half-built testbed.
#
# Only 198.18.0.0/15 is used: links 198.19.1.0/30 (collector-p1), 198.19.2.0/30 (collector-p2),
# 198.19.3.0/30 (p1-p2); peers originate prefixes from 198.18.0.0/16. Namespace names carry a
# unique id (DIR/id) so parallel runs do not collide. Needs root, iproute2 and bird2.
set -euo pipefail

cmd=${1:?usage: testbed.sh start|set|stop DIR ...}
dir=${2:?DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

if [ ! -f "$dir/id" ]; then
  printf '%x%04x' "$$" "$((RANDOM))" >"$dir/id"
fi
id=$(cat "$dir/id")
ns_col="bo-col-$id"
ns_p1="bo-p1-$id"
ns_p2="bo-p2-$id"

birdc_of() { echo "birdc -s $dir/$1.ctl"; }

write_peer_conf() {  # name asn my_col_ip col_ip my_peer_ip other_ip other_asn
  local name=$1 asn=$2 my_col=$3 col=$4 my_peer=$5 other=$6 other_asn=$7
  [ -f "$dir/$name-routes.conf" ] || : >"$dir/$name-routes.conf"
  cat >"$dir/$name.conf" <<CONF
router id $my_col;
log "$dir/$name.log" all;
protocol device { scan time 1; }
protocol static originated {
  ipv4;
  include "$dir/$name-routes.conf";
}
protocol bgp collector {
  local $my_col as $asn;
  neighbor $col as 65000;
  hold time 30;
  connect retry time 1;
  ipv4 { import none; export all; };
}
protocol bgp mate {
  local $my_peer as $asn;
  neighbor $other as $other_asn;
  hold time 30;
  connect retry time 1;
  ipv4 { import all; export where source = RTS_STATIC; };
}
CONF
}

start() {
  ip netns add "$ns_col"
  ip netns add "$ns_p1"
  ip netns add "$ns_p2"
  for ns in "$ns_col" "$ns_p1" "$ns_p2"; do ip -n "$ns" link set lo up; done
  link() {  # nsA ifA addrA nsB ifB addrB
    ip link add "bo$id$2" type veth peer name "bo$id$5"
    ip link set "bo$id$2" netns "$1"
    ip link set "bo$id$5" netns "$4"
    ip -n "$1" link set "bo$id$2" name "$2"
    ip -n "$4" link set "bo$id$5" name "$5"
    ip -n "$1" addr add "$3" dev "$2"
    ip -n "$4" addr add "$6" dev "$5"
    ip -n "$1" link set "$2" up
    ip -n "$4" link set "$5" up
  }
  link "$ns_col" c1 198.19.1.1/30 "$ns_p1" p1c 198.19.1.2/30
  link "$ns_col" c2 198.19.2.1/30 "$ns_p2" p2c 198.19.2.2/30
  link "$ns_p1" p1p 198.19.3.1/30 "$ns_p2" p2p 198.19.3.2/30

  cat >"$dir/col.conf" <<CONF
router id 198.19.1.1;
log "$dir/col.log" all;
mrtdump "$dir/updates.mrt";
mrtdump protocols { states, messages };
protocol device { scan time 1; }
protocol bgp p1 {
  local 198.19.1.1 as 65000;
  neighbor 198.19.1.2 as 65001;
  passive on;
  hold time 30;
  mrtdump all;
  ipv4 { import all; export none; };
}
protocol bgp p2 {
  local 198.19.2.1 as 65000;
  neighbor 198.19.2.2 as 65002;
  passive on;
  hold time 30;
  mrtdump all;
  ipv4 { import all; export none; };
}
CONF
  write_peer_conf p1 65001 198.19.1.2 198.19.1.1 198.19.3.1 198.19.3.2 65002
  write_peer_conf p2 65002 198.19.2.2 198.19.2.1 198.19.3.2 198.19.3.1 65001
  ip netns exec "$ns_col" bird -c "$dir/col.conf" -s "$dir/col.ctl" -P "$dir/col.pid"
  ip netns exec "$ns_p1" bird -c "$dir/p1.conf" -s "$dir/p1.ctl" -P "$dir/p1.pid"
  ip netns exec "$ns_p2" bird -c "$dir/p2.conf" -s "$dir/p2.ctl" -P "$dir/p2.pid"
  for _ in $(seq 1 300); do
    n=$($(birdc_of col) show protocols 2>/dev/null | grep -c Established || true)
    m=$($(birdc_of p1) show protocols 2>/dev/null | grep -c Established || true)
    if [ "$n" = 2 ] && [ "$m" = 2 ]; then echo "established"; return 0; fi
    sleep 0.2
  done
  echo "sessions did not come up" >&2
  $(birdc_of col) show protocols all >&2 || true
  return 1
}

set_routes() {
  local peer=$1
  shift
  : >"$dir/$peer-routes.conf.new"
  for p in "$@"; do
    case "$p" in 198.18.*) ;; *) echo "refusing $p: only 198.18.0.0/15" >&2; return 2 ;; esac
    echo "route $p blackhole;" >>"$dir/$peer-routes.conf.new"
  done
  mv "$dir/$peer-routes.conf.new" "$dir/$peer-routes.conf"
  $(birdc_of "$peer") configure >/dev/null
}

stop() {
  for d in p1 p2 col; do
    if [ -f "$dir/$d.pid" ]; then
      pid=$(cat "$dir/$d.pid" 2>/dev/null || true)
      if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      fi
      rm -f "$dir/$d.pid"
    fi
  done
  for ns in "$ns_p1" "$ns_p2" "$ns_col"; do ip netns del "$ns" 2>/dev/null || true; done
}

case "$cmd" in
  start) trap 'rc=$?; [ $rc = 0 ] || stop; exit $rc' EXIT; start ;;
  set) set_routes "${@:3}" ;;
  stop) stop ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
