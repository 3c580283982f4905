#!/usr/bin/env bash
# docker-compose.yml for real on a machine without a Docker engine and without image downloads: the real
# docker-compose against Podman's Docker-compatible API (`podman system service`), base images made locally
# (scripts/lib/compose/images.sh: debootstrap + this machine's .NET; the Dockerfile's defaults stay Microsoft's).
#
#   scripts/compose-up.sh [--no-build]     --no-build: publish what the last Release build made (no compile)
#   scripts/compose-down.sh                stops it, removes its volumes and networks, stops our Podman service
#
# Environment (defaults): COMPOSE_PROJECT_NAME (orleans-zuul), ZUUL_WEB_PORT (9000), ZUUL_ZONE1_FINGER_PORT (7978),
# ZUUL_ZONE2_FINGER_PORT (7979), ZUUL_ZOOKEEPER_PORT (2281, TLS), the first three octets of the /24 networks
# ZUUL_ZONE1_NET (172.31.1), ZUUL_ZONE2_NET (172.31.2), ZUUL_ZONE2_EDGE_NET (172.31.3), and DOCKER_HOST (unset: start
# a Podman API service of our own, stopped by compose-down.sh).
# It waits until every service is healthy, then writes $RUN_DIR/env (source it to run docker-compose by hand) and
# copies the certificate for finger users to $RUN_DIR/certs. On failure it prints the services' logs and tears down.
set -Eeuo pipefail
cd "$(dirname "$0")/.."
no_build=false
[ "${1:-}" = --no-build ] && no_build=true

export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-orleans-zuul}
export ZUUL_WEB_PORT=${ZUUL_WEB_PORT:-9000} ZUUL_ZONE1_FINGER_PORT=${ZUUL_ZONE1_FINGER_PORT:-7978} ZUUL_ZONE2_FINGER_PORT=${ZUUL_ZONE2_FINGER_PORT:-7979}
export ZUUL_ZOOKEEPER_PORT=${ZUUL_ZOOKEEPER_PORT:-2281}
export ZUUL_ZONE1_NET=${ZUUL_ZONE1_NET:-172.31.1} ZUUL_ZONE2_NET=${ZUUL_ZONE2_NET:-172.31.2}
export ZUUL_ZONE2_EDGE_NET=${ZUUL_ZONE2_EDGE_NET:-172.31.3}
export ZUUL_ZOOKEEPER_IMAGE=localhost/orleans-zuul-base/zookeeper:3.8
RUN_DIR=${RUN_DIR:-$PWD/.run/compose/$COMPOSE_PROJECT_NAME}
export RUN_DIR
export COMPOSE_FILE=docker-compose.yml:deploy/compose/podman.yml

scripts/install-deps.sh podman debootstrap docker-compose openssl curl
rm -rf "$RUN_DIR/certs" "$RUN_DIR/timing"
mkdir -p "$RUN_DIR"
source scripts/lib/compose/images.sh

if [ -z "${DOCKER_HOST:-}" ]; then
  sock=$RUN_DIR/podman.sock
  rm -f "$sock"
  setsid podman system service --time=0 "unix://$sock" >"$RUN_DIR/podman-service.log" 2>&1 &
  echo $! >"$RUN_DIR/podman-service.pid"
  export DOCKER_HOST=unix://$sock
  for _ in $(seq 1 100); do curl -sf --unix-socket "$sock" http://podman/_ping >/dev/null 2>&1 && break; sleep 0.2; done
  curl -sf --unix-socket "$sock" http://podman/_ping >/dev/null || { echo "compose: the Podman API did not start, see $RUN_DIR/podman-service.log" >&2; exit 1; }
fi
{
  for v in COMPOSE_PROJECT_NAME COMPOSE_FILE DOCKER_HOST ZUUL_WEB_PORT ZUUL_ZONE1_FINGER_PORT ZUUL_ZONE2_FINGER_PORT ZUUL_ZOOKEEPER_PORT ZUUL_ZONE1_NET \
    ZUUL_ZONE2_NET ZUUL_ZONE2_EDGE_NET ZUUL_ZOOKEEPER_IMAGE; do printf 'export %s=%q\n' "$v" "${!v}"; done
} >"$RUN_DIR/env"

failed() {
  echo "compose: failed; the services' last log lines:" >&2
  docker-compose logs --no-color --tail 40 >&2 || true
  scripts/compose-down.sh >&2 || true
}
trap failed ERR

make_debian_image
runtime=$(runtime_image)
make_runtime_image
make_zookeeper_image

echo "compose: publishing (Release)"
rm -rf .compose-publish
build_flag=()
$no_build && build_flag=(--no-build)
for p in Silo:silo WebFrontend:web Executor:executor; do
  dotnet publish "${p%%:*}/${p%%:*}.csproj" -c Release -nologo -v:q -clp:ErrorsOnly "${build_flag[@]}" -o ".compose-publish/${p##*:}" >/dev/null
done
for target in silo web executor certs; do
  podman build -q "${ULIMITS[@]}" --build-arg "RUNTIME_IMAGE=$runtime" --build-arg PUBLISH_FROM=host \
    --target "$target" -t "orleans-zuul/$target" . >/dev/null
done

# The two networks that must not be isolated (deploy/compose/podman.yml says why).
podman network exists "${COMPOSE_PROJECT_NAME}_zookeeper" || podman network create "${COMPOSE_PROJECT_NAME}_zookeeper" >/dev/null
podman network exists "${COMPOSE_PROJECT_NAME}_zone2-edge" \
  || podman network create --subnet "$ZUUL_ZONE2_EDGE_NET.0/24" "${COMPOSE_PROJECT_NAME}_zone2-edge" >/dev/null

echo "compose: docker-compose up -d (project $COMPOSE_PROJECT_NAME)"
start=$(date +%s.%N)
docker-compose up -d --no-build >"$RUN_DIR/up.log" 2>&1 || { cat "$RUN_DIR/up.log" >&2; false; }
up_done=$(date +%s.%N)

# Podman runs health checks from systemd timers, which a machine without systemd lacks: run the check of
# docker-compose.yml's healthcheck (GET /healthz on $HEALTH_PORT) in each container until it passes.
probe='exec 3<>/dev/tcp/127.0.0.1/$HEALTH_PORT && printf "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n" $HEALTH_PORT >&3 && head -n 1 <&3 | grep -q " 200 "' 
healthy=()
for _ in $(seq 1 180); do
  healthy=()
  for service in zookeeper silo-zone1 silo-zone2 web executor1 executor2 executor3; do
    id=$(docker-compose ps -q "$service")
    if [ "$service" = zookeeper ]; then
      # Its TLS port answers a handshake with our client certificate (plaintext `ruok` is refused by design).
      volume=$(podman volume inspect --format '{{.Mountpoint}}' "${COMPOSE_PROJECT_NAME}_certs")
      timeout 5 openssl s_client -connect "127.0.0.1:$ZUUL_ZOOKEEPER_PORT" -CAfile "$volume/zk-ca.pem" \
        -cert "$volume/zk-client.pem" -key "$volume/zk-client.key" -verify_return_error </dev/null >/dev/null 2>&1 \
        && healthy+=("$service")
    elif timeout 10 podman exec "$id" bash -c "$probe" >/dev/null 2>&1; then
      healthy+=("$service")
    fi
  done
  [ ${#healthy[@]} -eq 7 ] && break
  sleep 1
done
[ ${#healthy[@]} -eq 7 ] || { echo "compose: not healthy after 3 minutes; healthy: ${healthy[*]:-none}" >&2; false; }
ready=$(date +%s.%N)

volume=$(podman volume inspect --format '{{.Mountpoint}}' "${COMPOSE_PROJECT_NAME}_certs")
mkdir -p "$RUN_DIR/certs"
cp "$volume/finger-ca.pem" "$volume/finger-user.pem" "$volume/finger-user.key" "$RUN_DIR/certs/"
trap - ERR
awk -v s="$start" -v u="$up_done" -v r="$ready" 'BEGIN { printf "up_seconds=%.1f\nhealthy_seconds=%.1f\n", u - s, r - s }' >"$RUN_DIR/timing"

cat <<MSG
compose: up in $(sed -n 's/up_seconds=//p' "$RUN_DIR/timing") s, every service healthy $(sed -n 's/healthy_seconds=//p' "$RUN_DIR/timing") s after the start.
  Web console (every zone's builds):  http://127.0.0.1:$ZUUL_WEB_PORT/
  Finger gateways (TLS, client certificate of the compose finger CA): zone 1 127.0.0.1:$ZUUL_ZONE1_FINGER_PORT,
  zone 2 127.0.0.1:$ZUUL_ZONE2_FINGER_PORT, e.g.
    openssl s_client -quiet -connect 127.0.0.1:$ZUUL_ZONE2_FINGER_PORT -servername gateway-zone2 \\
      -CAfile $RUN_DIR/certs/finger-ca.pem -cert $RUN_DIR/certs/finger-user.pem -key $RUN_DIR/certs/finger-user.key <<< <uuid>
  docker-compose by hand: source $RUN_DIR/env; docker-compose ps
  Stop: scripts/compose-down.sh
MSG
