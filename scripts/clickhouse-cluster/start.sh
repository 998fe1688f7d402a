#!/usr/bin/env bash
# Starts a replicated ClickHouse cluster on loopback: one ZooKeeper (Debian's zookeeper) and
# SHARDS x REPLICAS clickhouse-server processes (Debian's 18.16), every port chosen free, all state
# in DIR. This is the cluster the tests use (tests/store/clickhouse_cluster.cc writes the same
# configs with --configs-only and runs the servers itself). See docs/scale-out.md.
#
#   scripts/clickhouse-cluster/start.sh [--configs-only] DIR
#   scripts/clickhouse-cluster/stop.sh DIR
#
# Prints the store URL (clickhouse:http://H:P,H:P,.../blackout?cluster=observatory) and writes it,
# with every node's ports, to DIR/cluster.env. Nodes are named s<shard>r<replica>; DIR/<node>/run.sh
# execs the server (so a harness can start, kill and restart one node), DIR/<node>/pid holds its pid.
set -euo pipefail

configs_only=0
if [[ "${1:-}" == "--configs-only" ]]; then configs_only=1; shift; fi
dir="${1:?usage: start.sh [--configs-only] DIR}"
shards="${SHARDS:-2}"
replicas="${REPLICAS:-2}"
cluster="${CLUSTER:-observatory}"
db="${DB:-blackout}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

ch_bin=""
for p in /usr/bin/clickhouse-server /usr/sbin/clickhouse-server; do
  [[ -x "$p" ]] && ch_bin="$p" && break
done
[[ -n "$ch_bin" ]] || { echo "clickhouse-server is not installed (scripts/deps/store.apt)" >&2; exit 1; }
[[ -r /usr/share/java/zookeeper.jar ]] || { echo "zookeeper is not installed (scripts/deps/store.apt: zookeeperd)" >&2; exit 1; }

# Free ports: bound together (so they differ) and released; a server that loses the race exits
# and the caller starts again.
n_ports=$((1 + shards * replicas * 3))
read -r -a ports <<<"$(python3 - "$n_ports" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
)"
zk_port="${ports[0]}"

# ZooKeeper, standalone. A short tick lets the ClickHouse sessions time out in seconds, so a
# SIGKILLed replica that restarts is not refused as "already active" for long.
mkdir -p "$dir/zk/data"
cat >"$dir/zk/zoo.cfg" <<CFG
tickTime=500
initLimit=10
syncLimit=5
dataDir=$dir/zk/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr
CFG
cat >"$dir/zk/run.sh" <<RUN
#!/bin/sh
exec java -Xmx256m -Xss1m -XX:+UseSerialGC -Dzookeeper.log.dir=$dir/zk -cp /usr/share/java/zookeeper.jar org.apache.zookeeper.server.ZooKeeperServerMain $dir/zk/zoo.cfg
RUN
chmod +x "$dir/zk/run.sh"

nodes=()
remote="<$cluster>"
i=1
for ((s = 1; s <= shards; s++)); do
  remote+="<shard><internal_replication>true</internal_replication>"
  for ((r = 1; r <= replicas; r++)); do
    remote+="<replica><host>127.0.0.1</host><port>${ports[i + 1]}</port></replica>"
    i=$((i + 3))
  done
  remote+="</shard>"
done
remote+="</$cluster>"

urls=()
i=1
{ echo "ZK_PORT=$zk_port"; echo "CLUSTER=$cluster"; echo "DB=$db"; } >"$dir/cluster.env"
for ((s = 1; s <= shards; s++)); do
  for ((r = 1; r <= replicas; r++)); do
    node="s${s}r${r}"
    http="${ports[i]}" tcp="${ports[i + 1]}" inter="${ports[i + 2]}"
    i=$((i + 3))
    d="$dir/$node"
    mkdir -p "$d"
    cat >"$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/server.log</log><errorlog>$d/error.log</errorlog><size>10M</size><count>1</count></logger>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <interserver_http_port>$inter</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <listen_host>127.0.0.1</listen_host>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <zookeeper><node><host>127.0.0.1</host><port>$zk_port</port></node><session_timeout_ms>4000</session_timeout_ms></zookeeper>
  <remote_servers>$remote</remote_servers>
  <macros><shard>$s</shard><replica>$node</replica></macros>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
</yandex>
XML
    cat >"$d/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>1000000000</max_memory_usage><background_pool_size>4</background_pool_size>
    <connect_timeout_with_failover_ms>200</connect_timeout_with_failover_ms><distributed_ddl_task_timeout>60</distributed_ddl_task_timeout></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
  </interval></default></quotas>
</yandex>
XML
    cat >"$d/run.sh" <<RUN
#!/bin/sh
exec $ch_bin --config-file=$d/config.xml
RUN
    chmod +x "$d/run.sh"
    nodes+=("$node")
    urls+=("127.0.0.1:$http")
    { echo "HTTP_$node=$http"; echo "TCP_$node=$tcp"; } >>"$dir/cluster.env"
  done
done
url="clickhouse:http://$(IFS=,; echo "${urls[*]}")/$db?cluster=$cluster"
{ echo "NODES=\"${nodes[*]}\""; echo "URL=$url"; } >>"$dir/cluster.env"

if ((configs_only)); then echo "$url"; exit 0; fi

launch() {  # name
  setsid "$dir/$1/run.sh" >"$dir/$1/stdout.log" 2>&1 </dev/null &
  echo $! >"$dir/$1/pid"
}
# ZooKeeper accepts connections before it serves; a ClickHouse server that cannot complete its
# handshake at start-up runs without distributed DDL, so wait for "Mode:" in `srvr`.
zk_serving() {
  exec 3<>"/dev/tcp/127.0.0.1/$zk_port" || return 1
  printf srvr >&3
  grep -q '^Mode:' <&3
  local rc=$?
  exec 3<&-
  return $rc
}
launch zk
for _ in $(seq 150); do
  zk_serving 2>/dev/null && break
  sleep 0.2
done
for node in "${nodes[@]}"; do launch "$node"; done
for node in "${nodes[@]}"; do
  var="HTTP_$node"
  port="$(grep "^$var=" "$dir/cluster.env" | cut -d= -f2)"
  ok=0
  for _ in $(seq 300); do
    if curl -sf "http://127.0.0.1:$port/ping" >/dev/null 2>&1; then ok=1; break; fi
    kill -0 "$(cat "$dir/$node/pid")" 2>/dev/null || break
    sleep 0.2
  done
  if ((!ok)); then
    echo "node $node did not start; see $dir/$node/stdout.log and error.log" >&2
    "$(dirname "$0")/stop.sh" "$dir"
    exit 1
  fi
done
# A node whose ZooKeeper session failed at start-up runs without distributed DDL: check with one.
first_http="$(grep "^HTTP_${nodes[0]}=" "$dir/cluster.env" | cut -d= -f2)"
if ! out="$(curl -sf -m 30 "http://127.0.0.1:$first_http/?distributed_ddl_task_timeout=20" \
    --data-binary "CREATE DATABASE IF NOT EXISTS cluster_ready ON CLUSTER $cluster" 2>&1)"; then
  echo "distributed DDL does not work on this cluster: $out; see $dir/*/error.log" >&2
  "$(dirname "$0")/stop.sh" "$dir"
  exit 1
fi
echo "$url"
