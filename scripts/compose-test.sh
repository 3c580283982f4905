#!/usr/bin/env bash
# docker-compose.yml for real: builds, then runs the compose test (Tests/Zones/ComposeRunTests.cs), which brings the
# deployment up with docker-compose against Podman (scripts/compose-up.sh), streams every build of both zones through
# the published ports and tears it down (scripts/compose-down.sh). The first run on a machine makes the base images.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh docker-compose
mkdir -p artifacts
dotnet build Orleans.Zuul.sln -c Release -nologo -clp:ErrorsOnly
dotnet test Tests/Tests.csproj -c Release --no-build -nologo --filter "Category=Compose" \
  --logger "console;verbosity=normal" --results-directory artifacts/test-results "$@"
