# Shared by run-local.sh and run-zones.sh: Release build, background processes stopped newest first, waits with deadlines.
# Source it after setting RUN_DIR; start children with `start_process <log file> <command...>`.

build_release() {
  echo "Building (Release)..."
  dotnet build Orleans.Zuul.sln -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null
}

pids=()

# Children run in sessions of their own (setsid), so a Ctrl-C reaches only the script, which then stops them
# newest first, one at a time: clients before silos, silos before ZooKeeper, each leaving cleanly.
start_process() {
  local log=$1; shift
  setsid "$@" >"$log" 2>&1 &
  pids+=($!)
  echo $! >>"$RUN_DIR/pids"  # for whoever must clean up after this script was killed (the tests)
}

stop_processes() {
  trap - INT TERM EXIT
  echo; echo "Stopping..."
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    kill "${pids[$i]}" 2>/dev/null || continue
    for _ in $(seq 1 60); do kill -0 "${pids[$i]}" 2>/dev/null || break; sleep 0.5; done
    kill -9 "${pids[$i]}" 2>/dev/null || true
  done
}
trap stop_processes INT TERM EXIT

wait_port() {  # wait_port <host> <port> <what>
  local host=$1 port=$2 what=$3
  for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && return 0
    sleep 0.5
  done
  echo "$what did not open $host:$port; see $RUN_DIR/logs/" >&2
  exit 1
}

wait_log() {  # wait_log <file> <text>: for processes that must not be probed (executors log refused probes)
  local file=$1 text=$2
  for _ in $(seq 1 120); do
    grep -q "$text" "$file" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "No '$text' in $file" >&2
  exit 1
}

wait_any_exit() {
  wait -n "${pids[@]}"
  echo "A component exited; see $RUN_DIR/logs/" >&2
}
