#!/usr/bin/env bash
# Start-up time and memory with default settings: starts the packaged jar as `./quorum serve` does
# (its default JVM options, embedded H2) on a fresh data directory, then twice more on the same
# directory (restarts), and prints for each the seconds until /health/ready answers 200, the CPU
# seconds the process used until then (the figure least disturbed by other load on the machine) and
# its RSS. Like the launcher, the first start after a build records the class-data sharing archive
# (when it stops) and the restarts map it.
#
#   conformance/bench/startup-check.sh
#   QUORUM_JAVA_OPTS= conformance/bench/startup-check.sh     # plain java -jar, as before
#
# QUORUM_JAR runs another build; QUORUM_JAVA_OPTS replaces the launcher's options (and the archive).
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
if [ -n "${QUORUM_JAVA_OPTS+set}" ]; then
    OPTIONS=$QUORUM_JAVA_OPTS
    CDS=false
else
    OPTIONS=$("$ROOT/quorum" java-options)
    CDS=true
fi
echo "JVM options: ${OPTIONS:-(none)}$($CDS && echo ' + class-data sharing archive (recorded by the fresh start, mapped by the restarts)')"
for run in fresh restart restart2; do
    PORT=$(free_port)
    extra=""
    if $CDS; then
        if [ "$run" = fresh ]; then extra="-XX:ArchiveClassesAtExit=$WORK/quorum.jsa"; else extra="-XX:SharedArchiveFile=$WORK/quorum.jsa"; fi
        extra="$extra -Xlog:cds=off -Xlog:cds+dynamic=off"
    fi
    start=$(date +%s.%N)
    # shellcheck disable=SC2086 # lists of JVM options
    QUORUM_DATA_DIR="$WORK/data" QUORUM_HTTP_PORT=$PORT QUORUM_HTTP_HOST=127.0.0.1 \
        java $OPTIONS $extra -jar "$JAR" serve >"$WORK/$run.log" 2>&1 &
    PID=$!
    until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health/ready" 2>/dev/null; do
        kill -0 "$PID" 2>/dev/null || { echo "$run: the server exited" >&2; tail -5 "$WORK/$run.log" >&2; exit 1; }
        sleep 0.1
    done
    ready=$(echo "$(date +%s.%N) - $start" | bc)
    cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$PID/stat")
    rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$PID/status")
    sleep 10
    rss10=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$PID/status")
    printf '%-8s ready after %.1f s (%s CPU s); RSS at ready %s MiB, 10 s later %s MiB; load %s\n' \
        "$run" "$ready" "$cpu" "$rss" "$rss10" "$(cut -d' ' -f1 /proc/loadavg)"
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
done
