#!/usr/bin/env bash
# Throughput of one Quorum node against two, on the same load: a private PostgreSQL cluster
# (loopback, free port, temporary directory), two nodes of the packaged jar on it (own data
# directories, one shared DICOM directory, one secrets key), and HAProxy (round robin, health
# checks on /health/ready) first in front of node A alone, then in front of A and B. The load
# (ScaleoutBench.java): C clients, each repeating create-label / read-it / search-the-patient's-labels
# for D seconds, after 10 s of warm-up.
#
#   conformance/bench/scaleout-bench.sh [clients=8] [seconds=60]
#
# Needs: server/target/quorum-server.jar (./quorum build), postgresql, haproxy, curl, python3.
# Two nodes on one machine share its cores with PostgreSQL, HAProxy and the load: what they gain
# here is a floor; nodes on their own hosts gain more (docs/operations.md).
set -euo pipefail

CLIENTS=${1:-8}
SECONDS_PER_RUN=${2:-60}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR="$ROOT/server/target/quorum-server.jar"
[ -f "$JAR" ] || { echo "missing $JAR: run ./quorum build first" >&2; exit 1; }
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL is missing: apt-get install postgresql" >&2; exit 1; }
command -v haproxy >/dev/null || { echo "HAProxy is missing: apt-get install haproxy" >&2; exit 1; }

WORK=$(mktemp -d /tmp/quorum-scaleout-bench-XXXXXX)
chmod 755 "$WORK"
PIDS=()
AS_PG=()
[ "$(id -u)" -eq 0 ] && AS_PG=(runuser -u postgres --)
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
    [ -f "$WORK/pg/data/postmaster.pid" ] && "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# PostgreSQL: initdb refuses root, so the cluster belongs to the postgres user under root.
PG_PORT=$(free_port)
mkdir -p "$WORK/pg/data" "$WORK/pg/run"
echo bench-password >"$WORK/pg/password"
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$WORK/pg"
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$WORK/pg/data" -U quorum --pwfile="$WORK/pg/password" \
    --auth=scram-sha-256 -E UTF8 --locale=C >/dev/null
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $WORK/pg/run -c max_connections=200" start >/dev/null
PGPASSWORD=bench-password "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U quorum -d postgres -c 'CREATE DATABASE quorum'

head -c 32 /dev/urandom | base64 >"$WORK/secrets.key"
chmod 600 "$WORK/secrets.key"
mkdir -p "$WORK/dicom"
PROXY_PORT=$(free_port)
export QUORUM_DB_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/quorum" QUORUM_DB_USER=quorum
export QUORUM_DB_PASSWORD=bench-password QUORUM_SECRETS_KEY_FILE="$WORK/secrets.key"
export QUORUM_DICOM_DIR="$WORK/dicom" QUORUM_HTTP_HOST=127.0.0.1
export QUORUM_PUBLIC_BASE_URL="http://127.0.0.1:$PROXY_PORT"
NODES=()
for node in a b; do
    port=$(free_port)
    mkdir -p "$WORK/$node"
    QUORUM_DATA_DIR="$WORK/$node" QUORUM_HTTP_PORT=$port java -Xmx1g -jar "$JAR" serve >"$WORK/$node.log" 2>&1 &
    PIDS+=($!)
    NODES+=("$port")
done
for port in "${NODES[@]}"; do
    for _ in $(seq 1 1500); do curl -fsS -o /dev/null "http://127.0.0.1:$port/health/ready" 2>/dev/null && break; sleep 0.2; done
done

proxy() { # proxy <config-name> <node ports...>
    local name=$1; shift
    {
        printf 'global\n    maxconn 4096\ndefaults\n    mode http\n    timeout connect 2s\n'
        printf '    timeout client 120s\n    timeout server 120s\n    retries 3\n    option redispatch\n'
        printf 'frontend quorum\n    bind 127.0.0.1:%s\n    default_backend nodes\n' "$PROXY_PORT"
        printf 'backend nodes\n    balance roundrobin\n    option httpchk GET /health/ready\n'
        printf '    http-check expect status 200\n    default-server inter 1s fall 2 rise 2\n'
        local i=0
        for port in "$@"; do printf '    server node%s 127.0.0.1:%s check\n' "$i" "$port"; i=$((i + 1)); done
    } >"$WORK/$name.cfg"
    haproxy -db -f "$WORK/$name.cfg" >"$WORK/$name.log" 2>&1 &
    PROXY_PID=$!
    PIDS+=($PROXY_PID)
    for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$PROXY_PORT/health/ready" 2>/dev/null && break; sleep 0.2; done
}

DATA_A=(env QUORUM_DATA_DIR="$WORK/a")
"${DATA_A[@]}" java -jar "$JAR" user add bench-admin --role project-admin >/dev/null
TOKEN=$("${DATA_A[@]}" java -jar "$JAR" user token bench-admin | tail -1)
BASE="http://127.0.0.1:$PROXY_PORT"

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1); Quorum $(git -C "$ROOT" rev-parse --short HEAD); PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'); $(haproxy -v | head -1 | cut -d' ' -f1-3)"
proxy one "${NODES[0]}"
PATIENT=$(curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/fhir+json' \
    -d '{"resourceType":"Patient"}' -D - -o /dev/null "$BASE/fhir/Patient" \
    | tr -d '\r' | awk -F'/fhir/' 'tolower($1) ~ /^location:/ {split($2, p, "/_history"); print p[1]}')
java "$ROOT/conformance/bench/ScaleoutBench.java" "$BASE" "$TOKEN" "$PATIENT" "$CLIENTS" "$SECONDS_PER_RUN" "one node"
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true
proxy two "${NODES[@]}"
java "$ROOT/conformance/bench/ScaleoutBench.java" "$BASE" "$TOKEN" "$PATIENT" "$CLIENTS" "$SECONDS_PER_RUN" "two nodes"
