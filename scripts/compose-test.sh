#!/usr/bin/env bash
# docker-compose.yml for real: builds, then runs the compose test (Tests/Zones/ComposeRunTests.cs), which brings the
# deployment up with docker-compose against Podman (scripts/compose-up.sh), streams every build of both zones through
# the published ports and tears it down (scripts/compose-down.sh). The first run on a machine makes the base images.
# scripts/test.sh runs it after the rest of the suite.
# Usage: scripts/compose-test.sh [--no-build] [extra dotnet test arguments]
#   --no-build   use the last Release build (scripts/test.sh has just made it)
set -euo pipefail
cd "$(dirname "$0")/.."
build=true
if [ "${1:-}" = --no-build ]; then build=false; shift; fi
scripts/install-deps.sh docker-compose
mkdir -p artifacts
$build && dotnet build Orleans.Zuul.sln -c Release -nologo -clp:ErrorsOnly
dotnet test Tests/Tests.csproj -c Release --no-build -nologo --filter "Category=Compose" \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=compose.trx" --results-directory artifacts/test-results "$@"
