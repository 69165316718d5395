#!/usr/bin/env bash
# Load test of one Quorum node (the packaged jar, default settings: embedded H2, auth, audit,
# profile validation) at a steady mix from concurrent clients (LoadTest.java): 70 % label reads and
# searches, 20 % label writes, 10 % STOW-RS of one small instance. Prints throughput and
# p50/p95/p99 per kind, errors, the load average, and the server's heap (jstat, then jcmd after a
# full collection) and RSS when the load ends.
#
#   conformance/bench/load-test.sh [seconds=600] [clients=32] [warm-up-seconds=30]
#
# QUORUM_LOAD_JAVA_OPTS sets the server's JVM options (default -Xmx2g: the JVM's own default, a
# quarter of RAM, let a server be killed by the kernel on this shared machine). QUORUM_JAR runs
# another build.
#
# Needs: server/target/quorum-server.jar (./quorum build), a JDK (jstat, jcmd), libpixelmed-java,
# testdata/dicom, python3, curl. The server listens on 127.0.0.1 on a free port, with its own
# temporary data directory.
set -euo pipefail

SECONDS_TOTAL=${1:-600}
CLIENTS=${2:-32}
WARMUP=${3:-30}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR=${QUORUM_JAR:-$ROOT/server/target/quorum-server.jar}
PIXELMED=/usr/share/java/pixelmed.jar
DATA=${DICOM_DATA:-$ROOT/testdata/dicom}
JAVA_OPTS=${QUORUM_LOAD_JAVA_OPTS--Xmx2g}
[ -f "$JAR" ] || { echo "missing $JAR: run ./quorum build first" >&2; exit 1; }
[ -f "$PIXELMED" ] || { echo "missing $PIXELMED: apt-get install libpixelmed-java" >&2; exit 1; }

WORK=$(mktemp -d /tmp/quorum-load-test-XXXXXX)
PID=""
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
export QUORUM_DATA_DIR="$WORK/data" QUORUM_HTTP_PORT=$PORT QUORUM_HTTP_HOST=127.0.0.1
BASE="http://127.0.0.1:$PORT"
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" serve >"$WORK/quorum.log" 2>&1 &
PID=$!
for _ in $(seq 1 1500); do curl -fsS -o /dev/null "$BASE/health/ready" 2>/dev/null && break; sleep 0.2; done
curl -fsS -o /dev/null "$BASE/health/ready"
java -jar "$JAR" user add load --role project-admin >/dev/null
# Runs longer than the default token lifetime (60 min) would end in 401s: the longest Quorum issues.
TOKEN=$(java -jar "$JAR" user token load --lifetime 24h | tail -1)

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: $(java -version 2>&1 | head -1); Quorum $(git -C "$ROOT" rev-parse --short HEAD)$([ -n "${QUORUM_JAR:-}" ] && echo " (QUORUM_JAR=$QUORUM_JAR)")"
echo "config: Quorum default settings (embedded H2, auth: project-admin token, audit, profile validation), java ${JAVA_OPTS:-without options}"
LOADS="$WORK/loadavg"
( while kill -0 "$PID" 2>/dev/null; do cut -d' ' -f1 /proc/loadavg >>"$LOADS"; sleep 10; done ) &
SAMPLER=$!
java -cp "$PIXELMED" "$ROOT/conformance/bench/LoadTest.java" "$BASE/fhir" "$BASE/dicomweb" "$TOKEN" \
    "$CLIENTS" "$SECONDS_TOTAL" "$WARMUP" "$DATA"
kill "$SAMPLER" 2>/dev/null || true
echo
echo "load average during the run (1 min, sampled every 10 s): min $(sort -n "$LOADS" | head -1), median $(sort -n "$LOADS" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'), max $(sort -n "$LOADS" | tail -1)"
# jstat: S0U S1U EU OU are the used sizes (KiB) of the survivor, eden and old spaces.
echo "heap used when the load ended: $(jstat -gc "$PID" | awk 'NR==2 {printf "%.0f MiB", ($3+$4+$6+$8)/1024}')"
jcmd "$PID" GC.run >/dev/null
echo "heap used after a full collection: $(jstat -gc "$PID" | awk 'NR==2 {printf "%.0f MiB", ($3+$4+$6+$8)/1024}')"
echo "RSS: $(awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' /proc/"$PID"/status) (peak $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/"$PID"/status))"
if grep -q " ERROR " "$WORK/quorum.log"; then
    echo "server log errors:"; grep " ERROR " "$WORK/quorum.log" | cut -c1-300 | sort | uniq -c | sort -rn | head -10
fi
