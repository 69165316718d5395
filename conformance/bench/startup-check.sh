#!/usr/bin/env bash
# Start-up time and memory with default settings: starts the packaged jar (java -jar, no options,
# embedded H2) on a fresh data directory, then again on the same directory (a restart), and prints
# for each the seconds until /health/ready answers 200 and the process's RSS then.
#
#   conformance/bench/startup-check.sh
#
# QUORUM_JAR runs another build.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR=${QUORUM_JAR:-$ROOT/server/target/quorum-server.jar}
[ -f "$JAR" ] || { echo "missing $JAR: run ./quorum build first" >&2; exit 1; }
WORK=$(mktemp -d /tmp/quorum-startup-XXXXXX)
PID=""
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1)"
for run in fresh restart; do
    PORT=$(free_port)
    start=$(date +%s.%N)
    QUORUM_DATA_DIR="$WORK/data" QUORUM_HTTP_PORT=$PORT QUORUM_HTTP_HOST=127.0.0.1 \
        java -jar "$JAR" serve >"$WORK/$run.log" 2>&1 &
    PID=$!
    until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health/ready" 2>/dev/null; do
        kill -0 "$PID" 2>/dev/null || { echo "$run: the server exited" >&2; tail -5 "$WORK/$run.log" >&2; exit 1; }
        sleep 0.1
    done
    ready=$(echo "$(date +%s.%N) - $start" | bc)
    rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$PID/status")
    sleep 10
    rss10=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$PID/status")
    printf '%-8s ready after %.1f s; RSS at ready %s MiB, 10 s later %s MiB\n' "$run" "$ready" "$rss" "$rss10"
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
done
