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
#
# Secure by default: a development PKI under $RUN_DIR/pki (scripts/lib/dev-pki.sh) and
#   ZooKeeper on its TLS port only (secureClientPort, client certificates required, x509 identity CN=orleans-zuul
#     owning every node the project creates);
#   Orleans (silo, gateway and client links) over mutual TLS, one CA per zone (each zone is its own cluster);
#   both finger gateways TLS-only with client certificates of the finger CA; the web frontend and zone 1's gateway
#     stream through zone 2's gateway with their certificates; users with pki/finger-user.{pem,key} (scripts/finger).
# Plaintext, inside a zone only: executors' log streamers (Executor:AllowedClients), health ports, the web frontend's HTTP.
#
#   scripts/run-zones.sh [--insecure] [--no-build]
#     --insecure   everything plaintext, no certificates (as before TLS existed)
#     --no-build   use the Release build that is there (tests build first)
# Ports (environment): ZK_PORT (2281; 2181 with --insecure), WEB_PORT (9000), FINGER_PORT (7979), SILO_PORT_1/_2
# (11111/11112), GATEWAY_PORT_1/_2 (30000/30001), EXECUTOR_PORT (7900), HEALTH_PORT (8080, silos and executors).
set -euo pipefail
cd "$(dirname "$0")/.."
secure=true build=true
for arg in "$@"; do
  case $arg in
    --insecure) secure=false ;;
    --no-build) build=false ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-zones.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done
RUN_DIR=${RUN_DIR:-$PWD/.run/zones}
if $secure; then ZK_PORT=${ZK_PORT:-2281}; else ZK_PORT=${ZK_PORT:-2181}; fi
WEB_PORT=${WEB_PORT:-9000}
FINGER_PORT=${FINGER_PORT:-7979}
SILO_PORT_1=${SILO_PORT_1:-11111} SILO_PORT_2=${SILO_PORT_2:-11112}
GATEWAY_PORT_1=${GATEWAY_PORT_1:-30000} GATEWAY_PORT_2=${GATEWAY_PORT_2:-30001}
EXECUTOR_PORT=${EXECUTOR_PORT:-7900}
HEALTH_PORT=${HEALTH_PORT:-8080}
scripts/install-deps.sh zookeeper openssl
rm -rf "$RUN_DIR" && mkdir -p "$RUN_DIR/logs" "$RUN_DIR/zk"

source scripts/lib/processes.sh
$build && build_release

PKI_DIR=$RUN_DIR/pki
GW1=gw.zone1.zuul.test GW2=gw.zone2.zuul.test  # the gateways' registered names (SNI, certificate checks)
if $secure; then
  echo "Making the development PKI in $PKI_DIR..."
  mkdir -p "$PKI_DIR"
  source scripts/lib/dev-pki.sh
  ca zk-ca "/CN=Orleans.Zuul dev ZooKeeper CA"
  leaf zk-ca zk-server "/CN=zookeeper" "IP:127.0.0.1,DNS:localhost"
  cat "$PKI_DIR/zk-server.key" "$PKI_DIR/zk-server.pem" >"$PKI_DIR/zk-server-keystore.pem"
  leaf zk-ca zk-client "/CN=orleans-zuul" "DNS:orleans-zuul"  # the deployment's one ZooKeeper identity
  ca orleans-zone1-ca "/CN=Orleans.Zuul dev cluster CA zone1"
  ca orleans-zone2-ca "/CN=Orleans.Zuul dev cluster CA zone2"
  leaf orleans-zone1-ca silo-zone1 "/CN=silo.zone1.zuul.test" "DNS:silo.zone1.zuul.test,IP:127.0.1.1"
  leaf orleans-zone1-ca web-zone1 "/CN=web.zone1.zuul.test" "DNS:web.zone1.zuul.test,IP:127.0.1.2"
  leaf orleans-zone1-ca executor1 "/CN=executor1.zone1.zuul.test" "DNS:executor1.zone1.zuul.test,IP:127.0.1.11"
  leaf orleans-zone2-ca silo-zone2 "/CN=silo.zone2.zuul.test" "DNS:silo.zone2.zuul.test,IP:127.0.2.1"
  leaf orleans-zone2-ca executor2 "/CN=executor2.zone2.zuul.test" "DNS:executor2.zone2.zuul.test,IP:127.0.2.12"
  leaf orleans-zone2-ca executor3 "/CN=executor3.zone2.zuul.test" "DNS:executor3.zone2.zuul.test,IP:127.0.2.13"
  ca finger-ca "/CN=Orleans.Zuul dev finger CA"
  leaf finger-ca gw-zone1 "/CN=$GW1" "DNS:$GW1,IP:127.0.1.1"
  leaf finger-ca gw-zone2 "/CN=$GW2" "DNS:$GW2,IP:127.0.2.1"
  leaf finger-ca web-finger "/CN=web.zone1.zuul.test" "DNS:web.zone1.zuul.test"
  leaf finger-ca finger-user "/CN=finger-user" "DNS:finger-user"  # for people: scripts/finger, openssl s_client
fi

cp=$(ls /usr/share/java/{zookeeper,zookeeper-jute,slf4j-api,slf4j-simple}.jar 2>/dev/null | paste -sd:)
if $secure; then
  # The TLS port only. Debian's zookeeper.jar manifest lacks netty-codec and netty-resolver, which it needs.
  cp=$cp:/usr/share/java/netty-codec.jar:/usr/share/java/netty-resolver.jar
  listener="secureClientPortAddress=127.0.0.1
secureClientPort=$ZK_PORT
serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory
ssl.keyStore.location=$PKI_DIR/zk-server-keystore.pem
ssl.trustStore.location=$PKI_DIR/zk-ca.pem
ssl.clientAuth=need
authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider"
else
  listener="clientPortAddress=127.0.0.1
clientPort=$ZK_PORT"
fi
cat >"$RUN_DIR/zk/zoo.cfg" <<CFG
tickTime=500
dataDir=$RUN_DIR/zk
$listener
admin.enableServer=false
CFG
start_process "$RUN_DIR/logs/zookeeper.out" java -Xmx256m "-Dorg.slf4j.simpleLogger.logFile=$RUN_DIR/logs/zookeeper.log" -cp "$cp" \
  org.apache.zookeeper.server.ZooKeeperServerMain "$RUN_DIR/zk/zoo.cfg"
# The TLS port logs a plaintext probe as an unsuccessful handshake, so secure mode waits on ZooKeeper's log.
if $secure; then wait_log "$RUN_DIR/logs/zookeeper.log" "binding to port"; else wait_port 127.0.0.1 "$ZK_PORT" "ZooKeeper"; fi

zk=(--ZooKeeper:ConnectionString "127.0.0.1:$ZK_PORT/orleans-zuul" --Cluster:Id zones)
if $secure; then
  zk+=(--ZooKeeper:Tls:Ca "$PKI_DIR/zk-ca.pem" --ZooKeeper:Tls:Certificate "$PKI_DIR/zk-client.pem"
    --ZooKeeper:Tls:Key "$PKI_DIR/zk-client.key" --ZooKeeper:Acl:Owners:0 x509:CN=orleans-zuul)
fi
orleans_tls() {  # orleans_tls <zone> <certificate name>: this process's Orleans mTLS settings
  $secure || return 0
  echo --Orleans:Tls:Certificate "$PKI_DIR/$2.pem" --Orleans:Tls:Key "$PKI_DIR/$2.key" --Orleans:Tls:Ca "$PKI_DIR/orleans-$1-ca.pem"
}
finger_tls() {  # finger_tls <section> <certificate name>: TLS with client certificates of the finger CA
  $secure || return 0
  echo --$1:Tls:Certificate "$PKI_DIR/$2.pem" --$1:Tls:Key "$PKI_DIR/$2.key" --$1:Tls:Ca "$PKI_DIR/finger-ca.pem" \
    --$1:Hosts:$GW1 127.0.1.1 --$1:Hosts:$GW2 127.0.2.1
}
bin() { echo "$1/bin/Release/net10.0/Orleans.Zuul.$1.dll"; }

silo() {  # silo <zone> <address> <silo port> <gateway port> <gateway name> <executor network>
  local hostname=$2
  $secure && hostname=$5
  # shellcheck disable=SC2046 # the settings are words without spaces (paths under $RUN_DIR)
  start_process "$RUN_DIR/logs/silo-$1.log" dotnet "$(bin Silo)" "${zk[@]}" --Zone "$1" --Orleans:AdvertisedAddress "$2" \
    --Orleans:SiloPort "$3" --Orleans:GatewayPort "$4" \
    --FingerGateway:ListenAddress "$2" --FingerGateway:Port "$FINGER_PORT" --FingerGateway:Hostname "$hostname" \
    --FingerGateway:LocalAddress "$2" --Zones:"$1":ExecutorNetworks:0 "$6" \
    --Health:ListenAddress "$2" --Health:Port "$HEALTH_PORT" \
    $(orleans_tls "$1" "silo-$1") $(finger_tls FingerGateway "gw-$1")
}
executor() {  # executor <name> <zone> <address> <allowed network>
  mkdir -p "$RUN_DIR/jobs-$1"
  # shellcheck disable=SC2046
  start_process "$RUN_DIR/logs/$1.log" dotnet "$(bin Executor)" "${zk[@]}" --Zone "$2" --Executor:Demo true --Executor:JobRoot "$RUN_DIR/jobs-$1" \
    --Executor:ListenAddress "$3" --Executor:LogStreamPort "$EXECUTOR_PORT" --Executor:Hostname "$3" \
    --Executor:AllowedClients:0 "$4" --Health:ListenAddress "$3" --Health:Port "$HEALTH_PORT" \
    $(orleans_tls "$2" "$1")
}

silo zone1 127.0.1.1 "$SILO_PORT_1" "$GATEWAY_PORT_1" "$GW1" 127.0.1.0/24
silo zone2 127.0.2.1 "$SILO_PORT_2" "$GATEWAY_PORT_2" "$GW2" 127.0.2.0/24
# Waiting on the logs, not by probing the ports: a TLS port logs every plaintext probe as refused.
for z in zone1 zone2; do wait_log "$RUN_DIR/logs/silo-$z.log" "Finger gateway .* listening"; done

# shellcheck disable=SC2046
start_process "$RUN_DIR/logs/web.log" dotnet "$(bin WebFrontend)" "${zk[@]}" --Zone zone1 --urls "http://127.0.0.1:$WEB_PORT" \
  --FingerClient:LocalAddress 127.0.1.2 $(orleans_tls zone1 web-zone1) $(finger_tls FingerClient web-finger)
executor executor1 zone1 127.0.1.11 127.0.1.0/24
executor executor2 zone2 127.0.2.12 127.0.2.0/24
executor executor3 zone2 127.0.2.13 127.0.2.0/24
wait_port 127.0.0.1 "$WEB_PORT" "The web frontend"
for e in executor1 executor2 executor3; do wait_log "$RUN_DIR/logs/$e.log" "Log streamer listening"; done

if $secure; then
  cat <<MSG

The two-zone topology is running, secure (development PKI in $PKI_DIR, logs in $RUN_DIR/logs/):
  Encrypted, certificates on both ends:
    ZooKeeper 127.0.0.1:$ZK_PORT: TLS port only (client certificate of zk-ca; nodes owned by x509:CN=orleans-zuul)
    Orleans silo and gateway ports (zone 1 127.0.1.1:$SILO_PORT_1/:$GATEWAY_PORT_1, zone 2 127.0.2.1:$SILO_PORT_2/:$GATEWAY_PORT_2):
      mutual TLS, one CA per zone (orleans-zone1-ca, orleans-zone2-ca)
    Finger gateways $GW1 = 127.0.1.1:$FINGER_PORT, $GW2 = 127.0.2.1:$FINGER_PORT: TLS, client certificate of finger-ca
      (the web frontend and zone 1's gateway stream zone 2's builds through zone 2's gateway with theirs)
  Plaintext, inside a zone: executors' log streamers (:$EXECUTOR_PORT, own zone's range only), health ports (:$HEALTH_PORT),
    the web frontend's HTTP.
  Web console (every zone's builds):  http://127.0.0.1:$WEB_PORT/    zones: http://127.0.0.1:$WEB_PORT/zones.html
  Finger through zone 2's gateway:
    FINGER_CA=$PKI_DIR/finger-ca.pem FINGER_CERT=$PKI_DIR/finger-user.pem FINGER_KEY=$PKI_DIR/finger-user.key \\
      FINGER_SERVERNAME=$GW2 scripts/finger <uuid>@127.0.2.1:$FINGER_PORT
  Zone 2's executors refuse anyone outside 127.0.2.0/24; see "Refused a log stream connection" in their logs.
Press Ctrl-C to stop.
MSG
else
  cat <<MSG

The two-zone topology is running, INSECURE: everything plaintext, no certificates, open ZooKeeper ACLs
(ZooKeeper 127.0.0.1:$ZK_PORT, logs in $RUN_DIR/logs/).
  Web console (every zone's builds):  http://127.0.0.1:$WEB_PORT/    zones: http://127.0.0.1:$WEB_PORT/zones.html
  Finger, zone 1's gateway:           echo <uuid> | nc 127.0.1.1 $FINGER_PORT
  Zone 2's one public service:        its finger gateway 127.0.2.1:$FINGER_PORT (what a NAT rule or NodePort would expose).
  Zone 2's silo ports (127.0.2.1:$SILO_PORT_2, :$GATEWAY_PORT_2) serve only zone 2's executors; no zone 1 process connects to them.
  Zone 2's executors refuse anyone outside 127.0.2.0/24; see "Refused a log stream connection" in their logs.
Press Ctrl-C to stop.
MSG
fi
wait_any_exit
