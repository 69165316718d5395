#!/usr/bin/env bash
# Per-request cost of case-bound access: a clinician token with N assigned cases against a project
# admin token, the same reads and searches, on the packaged jar (embedded H2, loopback, free port,
# temporary data directory). Prints p50/p95/mean per token and request kind.
#
#   conformance/bench/access-bench.sh [cases=1000] [requests=300]
#
# Needs: server/target/quorum-server.jar (./quorum build), curl, python3.
set -euo pipefail

CASES=${1:-1000}
REQUESTS=${2:-300}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR="$ROOT/server/target/quorum-server.jar"
[ -f "$JAR" ] || { echo "missing $JAR: run ./quorum build first" >&2; exit 1; }

WORK=$(mktemp -d /tmp/quorum-access-bench-XXXXXX)
PID=""
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
export QUORUM_DATA_DIR="$WORK/data" QUORUM_HTTP_PORT=$PORT QUORUM_HTTP_HOST=127.0.0.1
BASE="http://127.0.0.1:$PORT"
java -jar "$JAR" serve >"$WORK/quorum.log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do curl -fsS -o /dev/null "$BASE/health/ready" 2>/dev/null && break; sleep 0.2; done

java -jar "$JAR" user add bench-admin --role project-admin >/dev/null
ADMIN=$(java -jar "$JAR" user token bench-admin | tail -1)
ROLE=$(curl -fsS -X POST -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/fhir+json' \
    -d '{"resourceType":"PractitionerRole","active":true}' -D - -o /dev/null "$BASE/fhir/PractitionerRole" \
    | tr -d '\r' | awk -F'/fhir/' 'tolower($1) ~ /^location:/ {split($2, p, "/_history"); print p[1]}')
java -jar "$JAR" user add bench-annotator --role annotator --fhir-user "$ROLE" >/dev/null
CLINICIAN=$(java -jar "$JAR" user token bench-annotator | tail -1)

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1); Quorum $(git -C "$ROOT" rev-parse --short HEAD), H2"
java "$ROOT/conformance/bench/AccessBench.java" "$BASE" "$ADMIN" "$CLINICIAN" "$ROLE" "$CASES" "$REQUESTS"
