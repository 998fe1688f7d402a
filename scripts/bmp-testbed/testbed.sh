#!/usr/bin/env bash
# A BMP testbed with real daemons in network namespaces (docs/bmp.md, "Live testbed").
#
#   testbed.sh start DIR PORT [frr|gobgp]
#                               namespaces bo-r-ID (FRR bgpd with its bmp module, or gobgpd;
#                               AS65000) and
#                               bo-s-ID (a BIRD 2 speaker, AS65001, peering with bgpd); a veth
#                               from the calling namespace (198.19.9.1/30) to bgpd (198.19.9.2)
#                               carries bgpd's BMP session to a station listening on PORT there.
#                               Waits until the BGP session is Established.
#   testbed.sh set DIR PREFIX...  make the speaker originate exactly these prefixes (BIRD
#                               reconfigure: removed ones are withdrawn)
#   testbed.sh stop DIR         stop the daemons and delete the namespaces; safe to run twice.
#
# Only 198.18.0.0/15: links 198.19.8.0/30 (bgpd-speaker) and 198.19.9.0/30 (station-bgpd);
# prefixes from 198.18.0.0/16. Needs root, iproute2, bird2 and frr or gobgpd
# (scripts/deps/bmp.apt).
set -euo pipefail

cmd=${1:?usage: testbed.sh start|set|stop DIR ...}
dir=${2:?DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
[ -f "$dir/id" ] || printf '%x%04x' "$$" "$((RANDOM))" >"$dir/id"
id=$(cat "$dir/id")
ns_r="bo-r-$id"
ns_s="bo-s-$id"
host_if="bob$id"

start() {
  local port=${1:?PORT} speaker=${2:-frr}
  ip netns add "$ns_r"
  ip netns add "$ns_s"
  ip -n "$ns_r" link set lo up
  ip -n "$ns_s" link set lo up
  ip link add "bor$id" type veth peer name "bos$id"
  ip link set "bor$id" netns "$ns_r"
  ip link set "bos$id" netns "$ns_s"
  ip -n "$ns_r" link set "bor$id" name rs
  ip -n "$ns_s" link set "bos$id" name sr
  ip -n "$ns_r" addr add 198.19.8.1/30 dev rs
  ip -n "$ns_s" addr add 198.19.8.2/30 dev sr
  ip -n "$ns_r" link set rs up
  ip -n "$ns_s" link set sr up
  ip link add "$host_if" type veth peer name "boh$id"
  ip link set "boh$id" netns "$ns_r"
  ip -n "$ns_r" link set "boh$id" name rh
  ip addr add 198.19.9.1/30 dev "$host_if"
  ip -n "$ns_r" addr add 198.19.9.2/30 dev rh
  ip link set "$host_if" up
  ip -n "$ns_r" link set rh up

  if [ "$speaker" = gobgp ]; then
    cat >"$dir/gobgpd.toml" <<CONF
[global.config]
  as = 65000
  router-id = "198.19.8.1"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.19.8.2"
    peer-as = 65001
  [neighbors.timers.config]
    connect-retry = 1
[[bmp-servers]]
  [bmp-servers.config]
    address = "198.19.9.1"
    port = $port
    route-monitoring-policy = "all"
CONF
    ip netns exec "$ns_r" gobgpd -f "$dir/gobgpd.toml" -t toml --api-hosts 127.0.0.1:50051 \
      --pprof-disable >"$dir/gobgpd.log" 2>&1 &
    echo $! >"$dir/gobgpd.pid"
  else
    cat >"$dir/bgpd.conf" <<CONF
log file $dir/bgpd.log
router bgp 65000
 bgp router-id 198.19.8.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 198.19.8.2 remote-as 65001
 neighbor 198.19.8.2 timers connect 1
 !
 bmp targets station
  bmp monitor ipv4 unicast pre-policy
  bmp monitor ipv4 unicast post-policy
  bmp connect 198.19.9.1 port $port min-retry 100 max-retry 1000
 exit
exit
CONF
    ip netns exec "$ns_r" /usr/lib/frr/bgpd -d -M bmp -Z -S -n -p 179 -P 0 -f "$dir/bgpd.conf" \
      -i "$dir/bgpd.pid" --vty_socket "$dir" --log "file:$dir/bgpd.log"
  fi

  [ -f "$dir/routes.conf" ] || : >"$dir/routes.conf"
  cat >"$dir/bird.conf" <<CONF
router id 198.19.8.2;
log "$dir/bird.log" all;
protocol device { scan time 1; }
protocol static originated {
  ipv4;
  include "$dir/routes.conf";
}
protocol bgp uplink {
  local 198.19.8.2 as 65001;
  neighbor 198.19.8.1 as 65000;
  hold time 30;
  connect retry time 1;
  ipv4 { import none; export where source = RTS_STATIC; };
}
CONF
  ip netns exec "$ns_s" bird -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid"
  for _ in $(seq 100); do
    birdc -s "$dir/bird.ctl" show protocols uplink 2>/dev/null | grep -q Established && return 0
    sleep 0.2
  done
  echo "BGP session not Established" >&2
  birdc -s "$dir/bird.ctl" show protocols all uplink >&2 || true
  return 1
}

set_routes() {
  : >"$dir/routes.conf.new"
  for p in "$@"; do echo "route $p blackhole;" >>"$dir/routes.conf.new"; done
  mv "$dir/routes.conf.new" "$dir/routes.conf"
  birdc -s "$dir/bird.ctl" configure >/dev/null
}

stop() {
  for pidfile in "$dir/bird.pid" "$dir/bgpd.pid" "$dir/gobgpd.pid"; do
    if [ -f "$pidfile" ]; then
      kill "$(cat "$pidfile")" 2>/dev/null || true
      rm -f "$pidfile"
    fi
  done
  sleep 0.3
  ip link del "$host_if" 2>/dev/null || true
  ip netns del "$ns_r" 2>/dev/null || true
  ip netns del "$ns_s" 2>/dev/null || true
}

case "$cmd" in
  start) start "${3:-}" "${4:-frr}" ;;
  set) shift 2; set_routes "$@" ;;
  stop) stop ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
