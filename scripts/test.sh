#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs every test.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~ZooKeeper]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh zookeeper socat docker-compose chromium chromium-driver
mkdir -p artifacts
dotnet build Orleans.Zuul.sln -c Release -nologo -clp:ErrorsOnly
dotnet test Tests/Tests.csproj -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=tests.trx" \
  --results-directory artifacts/test-results --blame-hang-timeout 5m "$@"
