#!/usr/bin/env bash
# Stops what scripts/compose-up.sh started: `docker-compose down -v` (containers, networks, the certificates volume),
# then the Podman API service it started, if any. Same environment as compose-up.sh (COMPOSE_PROJECT_NAME, RUN_DIR).
set -uo pipefail
cd "$(dirname "$0")/.."
export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-orleans-zuul}
RUN_DIR=${RUN_DIR:-$PWD/.run/compose/$COMPOSE_PROJECT_NAME}
[ -f "$RUN_DIR/env" ] || { echo "compose-down: nothing to stop ($RUN_DIR/env is missing)"; exit 0; }
source "$RUN_DIR/env"
status=0
docker-compose down -v --timeout 30 >"$RUN_DIR/down.log" 2>&1 || { status=$?; cat "$RUN_DIR/down.log" >&2; }
for net in zookeeper zone2-edge; do
  ! podman network exists "${COMPOSE_PROJECT_NAME}_$net" || podman network rm "${COMPOSE_PROJECT_NAME}_$net" >/dev/null || status=1
done
if [ -f "$RUN_DIR/podman-service.pid" ]; then
  pid=$(cat "$RUN_DIR/podman-service.pid")
  kill "$pid" 2>/dev/null && for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$RUN_DIR/podman-service.pid" "$RUN_DIR/podman.sock"
fi
rm -f "$RUN_DIR/env"
exit "$status"
