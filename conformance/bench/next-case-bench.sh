#!/usr/bin/env bash
# $next-case benchmark: one project with many open cases (notes, two annotators per case) and many
# annotators on its roster, on the packaged jar with its embedded H2; then the time a claim takes,
# one at a time and with several annotators asking at once. Each claim really claims: it creates
# the annotate Task and updates the case Task in one transaction (docs/workflow.md).
#
#   conformance/bench/next-case-bench.sh [cases=10000] [annotators=50] [sequential=200] [threads=8] [concurrent=400]
#
# Needs: server/target/quorum-server.jar (./quorum build; QUORUM_JAR names another copy), python3
# (free port), curl.
# The server listens on 127.0.0.1 only, on a free port, with a temporary data directory.
set -euo pipefail

CASES=${1:-10000}
ANNOTATORS=${2:-50}
SEQUENTIAL=${3:-200}
THREADS=${4:-8}
CONCURRENT=${5:-400}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR=${QUORUM_JAR:-$ROOT/server/target/quorum-server.jar}
[ -f "$JAR" ] || { echo "missing $JAR: run ./quorum build first" >&2; exit 1; }

WORK=$(mktemp -d /tmp/quorum-next-case-bench-XXXXXX)
QUORUM_PID=""
cleanup() {
    status=$?
    [ -n "$QUORUM_PID" ] && kill "$QUORUM_PID" 2>/dev/null && wait "$QUORUM_PID" 2>/dev/null || true
    if [ "$status" -ne 0 ] && [ -f "$WORK/quorum.log" ]; then
        echo "--- last lines of the server log:" >&2
        tail -40 "$WORK/quorum.log" >&2
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_http() {
    for _ in $(seq 1 900); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
    echo "$1 did not answer" >&2; return 1
}

PORT=$(free_port)
export QUORUM_DATA_DIR="$WORK/quorum" QUORUM_HTTP_PORT=$PORT QUORUM_HTTP_HOST=127.0.0.1
java ${QUORUM_JAVA_OPTS:-} -jar "$JAR" serve >"$WORK/quorum.log" 2>&1 &
QUORUM_PID=$!
wait_http "http://127.0.0.1:$PORT/health/ready"
java -jar "$JAR" user add bench-admin --role project-admin >/dev/null
ADMIN=$(java -jar "$JAR" user token bench-admin --lifetime 8h | tail -1)
BASE="http://127.0.0.1:$PORT/fhir"

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
java "$ROOT/conformance/bench/NextCaseBench.java" setup "$BASE" "$ADMIN" "$CASES" "$ANNOTATORS" "$WORK/roles"
PROJECT=$(head -1 "$WORK/roles")
: >"$WORK/tokens"
i=0
tail -n +2 "$WORK/roles" | while read -r role; do
    i=$((i + 1))
    java -jar "$JAR" user add "bench-annotator-$i" --role annotator --fhir-user "$role" >/dev/null
    java -jar "$JAR" user token "bench-annotator-$i" --lifetime 8h | tail -1 >>"$WORK/tokens"
done
echo "project ResearchStudy/$PROJECT: $CASES open cases, $(wc -l <"$WORK/tokens") annotators"
java "$ROOT/conformance/bench/NextCaseBench.java" measure "$BASE" "$PROJECT" "$WORK/tokens" "$SEQUENTIAL" "$THREADS" "$CONCURRENT"
