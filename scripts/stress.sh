#!/usr/bin/env bash
# Runs the network-heavy test classes again and again with one core kept busy, to find tests that depend on
# timing. Usage: scripts/stress.sh [repetitions (default 30)] [dotnet test --filter expression]
# Prints one line per repetition and a summary; each run's output stays in artifacts/stress/run-<n>.log.
# Builds nothing: run scripts/test.sh (or a Release build) first.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
filter=${2:-"FullyQualifiedName~SpliceRelayTests|FullyQualifiedName~SingleZoneStreaming|FullyQualifiedName~GatewayErrorTests|FullyQualifiedName~FingerScriptTests|FullyQualifiedName~ZoneGatewayTests|FullyQualifiedName~NoGatewayInZoneTests|FullyQualifiedName~SniRoutingTests|FullyQualifiedName~TlsAcrossZonesTests|FullyQualifiedName~ZooKeeper.SessionTests|FullyQualifiedName~ZooKeeper.WatchTests|FullyQualifiedName~GatewayRegistryTests|FullyQualifiedName~ZooKeeperStreamingTests|FullyQualifiedName~LogStreamerTests|FullyQualifiedName~WebFrontend.ApiTests|FullyQualifiedName~BuildStreamOpenerTests|FullyQualifiedName~SharedStreamTests|FullyQualifiedName~TruthfulEndTests"}
out=artifacts/stress
mkdir -p "$out"
# The hog: one busy loop, pinned to the first core where taskset exists.
if command -v taskset >/dev/null; then taskset -c 0 sh -c 'while :; do :; done' & else sh -c 'while :; do :; done' & fi
hog=$!
trap 'kill "$hog" 2>/dev/null' EXIT
failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  dotnet test Tests/Tests.csproj -c Release --no-build -nologo --filter "$filter" --blame-hang-timeout 5m >"$out/run-$i.log" 2>&1
  status=$?
  summary=$(grep -E '^(Passed|Failed)!' "$out/run-$i.log" | tail -1)
  echo "run $i/$runs: exit $status in $(( $(date +%s) - start )) s, load $(cut -d' ' -f1 /proc/loadavg): ${summary:-no summary}"
  if [ "$status" -ne 0 ]; then
    failed=$((failed + 1))
    grep -E '\[FAIL\]$' "$out/run-$i.log" | sed 's/^/    /'
  fi
done
echo "$failed of $runs runs failed (filter: $filter)"
[ "$failed" -eq 0 ]
