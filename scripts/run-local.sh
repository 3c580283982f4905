#!/usr/bin/env bash
# A working local deployment on the embedded default (no ZooKeeper): one silo with its finger gateway,
# the web frontend and one executor running simulated builds. Ctrl-C stops everything. The silo is in zone
# "local" so its gateway shows in the zones view; the executor is un-zoned, so streams go to it directly.
#
# Ports (override with the environment variables):
#   WEB_PORT=9000      web console and websocket stream   http://127.0.0.1:9000/
#   ADMIN_PORT=9001    the web frontend's admin listener  http://127.0.0.1:9001/zones.html, /dashboard/
#   FINGER_PORT=7979   finger gateway                     scripts/finger <uuid>@127.0.0.1:7979
#   LOG_PORT=7900      the executor's log streamer
#   SILO_PORT=11111 ORLEANS_GATEWAY_PORT=30000            Orleans endpoints
#   SILO_HEALTH_PORT=8081 EXECUTOR_HEALTH_PORT=8082       /healthz and /metrics of the silo and the executor
#                                                         (the web frontend serves both on WEB_PORT)
set -euo pipefail
cd "$(dirname "$0")/.."
WEB_PORT=${WEB_PORT:-9000}
ADMIN_PORT=${ADMIN_PORT:-9001}
FINGER_PORT=${FINGER_PORT:-7979}
LOG_PORT=${LOG_PORT:-7900}
SILO_PORT=${SILO_PORT:-11111}
ORLEANS_GATEWAY_PORT=${ORLEANS_GATEWAY_PORT:-30000}
SILO_HEALTH_PORT=${SILO_HEALTH_PORT:-8081}
EXECUTOR_HEALTH_PORT=${EXECUTOR_HEALTH_PORT:-8082}
RUN_DIR=${RUN_DIR:-$PWD/.run}
mkdir -p "$RUN_DIR/jobs" "$RUN_DIR/logs"

source scripts/lib/processes.sh
build_release

common=(--Orleans:SiloPort "$SILO_PORT" --Orleans:GatewayPort "$ORLEANS_GATEWAY_PORT")

start_process "$RUN_DIR/logs/silo.log" dotnet Silo/bin/Release/net10.0/Orleans.Zuul.Silo.dll "${common[@]}" --Zone local \
  --FingerGateway:ListenAddress 127.0.0.1 --FingerGateway:Port "$FINGER_PORT" --FingerGateway:Hostname 127.0.0.1 \
  --Health:ListenAddress 127.0.0.1 --Health:Port "$SILO_HEALTH_PORT"

# Clients retry until the silo accepts them, so the order below is only for tidier logs.
wait_port 127.0.0.1 "$ORLEANS_GATEWAY_PORT" "The silo"

start_process "$RUN_DIR/logs/web.log" dotnet WebFrontend/bin/Release/net10.0/Orleans.Zuul.WebFrontend.dll "${common[@]}" \
  --urls "http://127.0.0.1:$WEB_PORT" --Web:AdminUrls "http://127.0.0.1:$ADMIN_PORT"

start_process "$RUN_DIR/logs/executor.log" dotnet Executor/bin/Release/net10.0/Orleans.Zuul.Executor.dll "${common[@]}" \
  --Executor:Demo true --Executor:JobRoot "$RUN_DIR/jobs" --Executor:ListenAddress 127.0.0.1 \
  --Executor:LogStreamPort "$LOG_PORT" --Executor:Hostname 127.0.0.1 \
  --Health:ListenAddress 127.0.0.1 --Health:Port "$EXECUTOR_HEALTH_PORT"

wait_port 127.0.0.1 "$WEB_PORT" "The web frontend"
wait_port 127.0.0.1 "$LOG_PORT" "The executor"

cat <<MSG

Orleans.Zuul is running (logs in $RUN_DIR/logs/).
  Web console:      http://127.0.0.1:$WEB_PORT/
  Builds (JSON):    curl -s http://127.0.0.1:$WEB_PORT/api/tenant/demo-a/builds   (tenants: /api/tenants)
  Admin (zones, dashboard): http://127.0.0.1:$ADMIN_PORT/zones.html  http://127.0.0.1:$ADMIN_PORT/dashboard/
  Stream a running build through the finger gateway:
    FINGER_PORT=$FINGER_PORT scripts/finger --running http://127.0.0.1:$WEB_PORT
    scripts/finger <uuid>@127.0.0.1:$FINGER_PORT     # a given build (finger <uuid>@host works when the gateway has port 79)
  Metrics (Prometheus text): http://127.0.0.1:$WEB_PORT/metrics, http://127.0.0.1:$SILO_HEALTH_PORT/metrics, http://127.0.0.1:$EXECUTOR_HEALTH_PORT/metrics
Press Ctrl-C to stop.
MSG
wait_any_exit
