#!/usr/bin/env bash
# The benchmark (issue 8): builds Release, installs socat when missing, then starts the real silo/gateway,
# executor and web frontend processes on 127.0.0.1 next to reference relays (socat, ../shared/bench's
# sendfile streamer) and measures them in one run. Prints a table and one final JSON line.
# Usage: scripts/bench.sh [--quick] [--log-mb N] [--streams N] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh socat zookeeper chromium
dotnet build Benchmarks/Benchmarks.csproj -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null
# 10,000 streams need ~20,000 descriptors in the gateway; children inherit this limit.
if [ "$(id -u)" -eq 0 ]; then ulimit -Hn 65536 2>/dev/null || true; fi
ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
exec dotnet Benchmarks/bin/Release/net10.0/Orleans.Zuul.Benchmarks.dll "$@"
