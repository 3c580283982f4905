#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs every test.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~ZooKeeper]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh zookeeper socat docker-compose chromium chromium-driver prometheus nodejs npm npm:oidc-provider@9.13.3
mkdir -p artifacts
dotnet build Orleans.Zuul.sln -c Release -nologo -clp:ErrorsOnly
# The compose run (Category=Compose) has its own command, scripts/compose-test.sh; a --filter given here wins.
filter=(--filter "Category!=Compose")
for arg in "$@"; do [ "$arg" = "--filter" ] && filter=(); done
set +e
dotnet test Tests/Tests.csproj "${filter[@]}" -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=tests.trx" \
  --results-directory artifacts/test-results --blame-hang-timeout 5m "$@" 2>&1 | tee artifacts/test-output.log
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  # A CI log is often read from its tail: repeat each failure, in the order they happened, with its first message line.
  echo
  echo "=== failed tests, in order (full output: artifacts/test-output.log) ==="
  grep -A1 -E '^\[xUnit\.net [0-9:.]+\] +[^ ].* \[FAIL\]$' artifacts/test-output.log | grep -v '^--$' | head -60 || true
fi
exit "$status"
