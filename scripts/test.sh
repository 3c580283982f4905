#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs every test, then the compose run (containers under
# Podman, scripts/compose-test.sh) after the rest, so its image builds and containers do not load the machine while
# the timing-sensitive tests run.
# Usage: scripts/test.sh [--no-compose] [extra dotnet test arguments, e.g. --filter FullyQualifiedName~ZooKeeper]
#   --no-compose   leave the compose run out (a first run on a machine makes its base images: about 16 minutes)
#   --filter ...   runs only what the filter selects, in one dotnet test run (the compose run only if selected)
set -euo pipefail
cd "$(dirname "$0")/.."
compose=true
if [ "${1:-}" = --no-compose ]; then compose=false; shift; fi
scripts/install-deps.sh zookeeper socat docker-compose chromium chromium-driver prometheus nodejs npm npm:oidc-provider@9.13.3
mkdir -p artifacts
dotnet build Orleans.Zuul.sln -c Release -nologo -clp:ErrorsOnly
filter=(--filter "Category!=Compose")
for arg in "$@"; do [ "$arg" = "--filter" ] && filter=() && compose=false; done
set +e
dotnet test Tests/Tests.csproj "${filter[@]}" -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=tests.trx" \
  --results-directory artifacts/test-results --blame-hang-timeout 5m "$@" 2>&1 | tee artifacts/test-output.log
status=${PIPESTATUS[0]}
compose_status=0
if $compose; then
  echo
  echo "=== the compose run (scripts/compose-test.sh) ==="
  scripts/compose-test.sh --no-build 2>&1 | tee artifacts/compose-test-output.log
  compose_status=${PIPESTATUS[0]}
fi
set -e
if [ "$status" -ne 0 ]; then
  # A CI log is often read from its tail: repeat each failure, in the order they happened, with its first message line.
  echo
  echo "=== failed tests, in order (full output: artifacts/test-output.log) ==="
  grep -A1 -E '^\[xUnit\.net [0-9:.]+\] +[^ ].* \[FAIL\]$' artifacts/test-output.log | grep -v '^--$' | head -60 || true
fi
[ "$compose_status" -eq 0 ] || echo "=== the compose run failed (exit $compose_status; full output: artifacts/compose-test-output.log) ==="
[ "$status" -ne 0 ] && exit "$status"
exit "$compose_status"
