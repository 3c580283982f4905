#!/usr/bin/env bash
# The spec's topology (docker-compose.yml) without Docker, on loopback, with Debian's ZooKeeper:
#   zone 1 = 127.0.1.0/24: silo + finger gateway 127.0.1.1:7979, web frontend (http://127.0.0.1:9000), executor 1 (127.0.1.11)
#   zone 2 = 127.0.2.0/24: silo + finger gateway 127.0.2.1:7979, executors 2 and 3 (127.0.2.12, 127.0.2.13)
# Each zone is its own Orleans cluster (zones@zone1, zones@zone2): its silo advertises its zone's address and only the
# zone's own executors (and, in zone 1, the web frontend) connect to it. What crosses zones is ZooKeeper (outbound)
# and zone 2's one public service, its finger gateway 127.0.2.1:7979. Executors accept log-stream connections only
# from their own zone's range (Executor:AllowedClients); gateways and the web frontend connect from their zone's
# address (LocalAddress), so a zone 2 build reaches users only through zone 2's gateway. Every executor runs
# simulated builds. Ctrl-C stops everything. Logs: $RUN_DIR/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_DIR=${RUN_DIR:-$PWD/.run/zones}
ZK_PORT=${ZK_PORT:-2181}
WEB_PORT=${WEB_PORT:-9000}
scripts/install-deps.sh zookeeper
rm -rf "$RUN_DIR" && mkdir -p "$RUN_DIR/logs" "$RUN_DIR/zk"

source scripts/lib/processes.sh
build_release

cat >"$RUN_DIR/zk/zoo.cfg" <<CFG
tickTime=500
dataDir=$RUN_DIR/zk
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
CFG
cp=$(ls /usr/share/java/{zookeeper,zookeeper-jute,slf4j-api,slf4j-simple}.jar 2>/dev/null | paste -sd:)
start_process "$RUN_DIR/logs/zookeeper.out" java -Xmx256m "-Dorg.slf4j.simpleLogger.logFile=$RUN_DIR/logs/zookeeper.log" -cp "$cp" \
  org.apache.zookeeper.server.ZooKeeperServerMain "$RUN_DIR/zk/zoo.cfg"
wait_port 127.0.0.1 "$ZK_PORT" "ZooKeeper"

zk=(--ZooKeeper:ConnectionString "127.0.0.1:$ZK_PORT/orleans-zuul" --Cluster:Id zones)
bin() { echo "$1/bin/Release/net10.0/Orleans.Zuul.$1.dll"; }

silo() {  # silo <zone> <address> <silo port> <gateway port>
  start_process "$RUN_DIR/logs/silo-$1.log" dotnet "$(bin Silo)" "${zk[@]}" --Zone "$1" --Orleans:AdvertisedAddress "$2" \
    --Orleans:SiloPort "$3" --Orleans:GatewayPort "$4" \
    --FingerGateway:ListenAddress "$2" --FingerGateway:Port 7979 --FingerGateway:Hostname "$2" \
    --FingerGateway:LocalAddress "$2"
}
executor() {  # executor <name> <zone> <address> <allowed network>
  mkdir -p "$RUN_DIR/jobs-$1"
  start_process "$RUN_DIR/logs/$1.log" dotnet "$(bin Executor)" "${zk[@]}" --Zone "$2" --Executor:Demo true --Executor:JobRoot "$RUN_DIR/jobs-$1" \
    --Executor:ListenAddress "$3" --Executor:LogStreamPort 7900 --Executor:Hostname "$3" \
    --Executor:AllowedClients:0 "$4"
}

silo zone1 127.0.1.1 11111 30000
silo zone2 127.0.2.1 11112 30001
wait_port 127.0.1.1 30000 "The zone 1 silo"
wait_port 127.0.2.1 30001 "The zone 2 silo"

start_process "$RUN_DIR/logs/web.log" dotnet "$(bin WebFrontend)" "${zk[@]}" --Zone zone1 --urls "http://127.0.0.1:$WEB_PORT" \
  --FingerClient:LocalAddress 127.0.1.2
executor executor1 zone1 127.0.1.11 127.0.1.0/24
executor executor2 zone2 127.0.2.12 127.0.2.0/24
executor executor3 zone2 127.0.2.13 127.0.2.0/24
wait_port 127.0.0.1 "$WEB_PORT" "The web frontend"
for e in executor1 executor2 executor3; do wait_log "$RUN_DIR/logs/$e.log" "Log streamer listening"; done

cat <<MSG

The two-zone topology is running on ZooKeeper 127.0.0.1:$ZK_PORT (logs in $RUN_DIR/logs/).
  Web console (every zone's builds):  http://127.0.0.1:$WEB_PORT/    zones: http://127.0.0.1:$WEB_PORT/zones.html
  Finger, zone 1's gateway:           echo <uuid> | nc 127.0.1.1 7979
  Zone 2's one public service:        its finger gateway 127.0.2.1:7979 (what a NAT rule or NodePort would expose).
  Zone 2's silo ports (127.0.2.1:11112, :30001) serve only zone 2's executors; no zone 1 process connects to them.
  Zone 2's executors refuse anyone outside 127.0.2.0/24; see "Refused a log stream connection" in their logs.
Press Ctrl-C to stop.
MSG
wait_any_exit
