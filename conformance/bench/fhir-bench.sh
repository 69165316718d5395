#!/usr/bin/env bash
# FHIR benchmark: Quorum (the packaged jar, default settings: embedded H2, auth, audit, profile
# validation) and a minimal stock HAPI FHIR JPA server of the same HAPI version
# (StockHapiServer.java: same H2 URL options, pool size and Hibernate settings, no Quorum
# interceptors) side by side on this machine, both started with the same JVM options. Prints, as
# the median of the measured passes after a warm-up pass, Synthea transaction ingest in
# resources/s (and CPU ms per resource), the label store rate, and label search p50/p95 for
# both, with the ratio Quorum/HAPI.
#
#   conformance/bench/fhir-bench.sh [copies-per-pass=4] [labels=100000] [queries=200] [passes=3] [clients=4]
#
# Each pass ingests <copies-per-pass> copies of testdata/synthea-10pt (6,987 resources each) with
# fresh ids, so a server holds (passes + 1) x copies x 6,987 Synthea resources (+ 173 shared ones)
# before the labels.
# QUORUM_BENCH_JAVA_OPTS sets the JVM options of both servers (default -Xmx2g); QUORUM_PROFILE_OPTS to
# Quorum's only (e.g. a JFR recording); QUORUM_JAR runs another build of Quorum.
# FHIR_BENCH_DB=postgresql stores both servers in one private PostgreSQL cluster (started by the
# script as the tests start theirs: initdb into the temporary directory, loopback only, a free
# port), each server in its own database; default: each its own embedded H2 file.
# FHIR_BENCH_LABEL_BUNDLE sets the labels per transaction Bundle (default 100), for both servers:
# larger bundles load large label counts (100,000) in fewer requests.
# FHIR_BENCH_LABEL_ORDER=patient stores the same labels grouped patient by patient (a bundle of
# 1,000 names 10 patients) instead of round-robin over all patients (default; a bundle of 1,000
# names 1,000): on H2 the round-robin load of 1,000,000 labels takes most of a day for both servers.
# FHIR_BENCH_KEEP=<dir> keeps both stores, the PostgreSQL cluster and the run's state in <dir>
# instead of a temporary directory removed at the end, so that a run too long for one sitting
# (1,000,000 labels on H2: hours) can be stopped and continued: the same command with the same
# <dir> restarts both servers on their stores, skips the ingest (printing the figures measured
# first), stores the label bundles not stored yet and then searches. Remove <dir> when done.
#
# Needs: server/target/quorum-server.jar and server/target/lib (./quorum build), a JDK (javac),
# python3, curl; PostgreSQL (apt-get install postgresql) in PostgreSQL mode. Both servers listen on
# 127.0.0.1 only, on free ports, with their own temporary data directories.
set -euo pipefail

COPIES=${1:-4}
LABELS=${2:-100000}
QUERIES=${3:-200}
PASSES=${4:-3}
CLIENTS=${5:-4}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR=${QUORUM_JAR:-$ROOT/server/target/quorum-server.jar}
# Both JVMs get the same options. The default heap limit (a quarter of RAM) let Quorum grow to
# 5.7 GiB here and be killed by the kernel when other jobs needed memory: 2 GiB for both.
JAVA_OPTS=${QUORUM_BENCH_JAVA_OPTS--Xmx2g}
LIB=$ROOT/server/target/lib
DATA=${SYNTHEA_DATA:-$ROOT/testdata/synthea-10pt}
DB=${FHIR_BENCH_DB:-h2}
LABEL_BUNDLE=${FHIR_BENCH_LABEL_BUNDLE:-100}
LABEL_ORDER=${FHIR_BENCH_LABEL_ORDER:-round-robin}
case "$LABEL_ORDER" in
    round-robin|patient) ;;
    *) echo "FHIR_BENCH_LABEL_ORDER must be round-robin or patient" >&2; exit 1 ;;
esac
[ -f "$JAR" ] && [ -d "$LIB" ] || { echo "missing $JAR or $LIB: run ./quorum build first" >&2; exit 1; }
case "$DB" in
    h2) ;;
    postgresql)
        PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
        [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL is missing: apt-get install postgresql" >&2; exit 1; }
        ;;
    *) echo "FHIR_BENCH_DB must be h2 or postgresql" >&2; exit 1 ;;
esac

KEEP=${FHIR_BENCH_KEEP:-}
if [ -n "$KEEP" ]; then
    mkdir -p "$KEEP"
    WORK=$(cd "$KEEP" && pwd)
    # One run at a time on a kept directory (a second would find the stores locked or in use).
    exec 9>"$WORK/.lock"
    flock -n 9 || { echo "another fhir-bench.sh run is using $WORK" >&2; exit 1; }
else
    WORK=$(mktemp -d /tmp/quorum-fhir-bench-XXXXXX)
fi
chmod 755 "$WORK"
# A kept directory that already holds Quorum's store: continue that run.
CONTINUED=""
[ -d "$WORK/quorum" ] && CONTINUED=yes
QUORUM_PID=""; HAPI_PID=""
AS_PG=()
[ "$(id -u)" -eq 0 ] && AS_PG=(runuser -u postgres --)
cleanup() {
    [ -n "$QUORUM_PID" ] && kill "$QUORUM_PID" 2>/dev/null && wait "$QUORUM_PID" 2>/dev/null || true
    [ -n "$HAPI_PID" ] && kill "$HAPI_PID" 2>/dev/null && wait "$HAPI_PID" 2>/dev/null || true
    [ -f "$WORK/pg/data/postmaster.pid" ] && "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    [ -n "$KEEP" ] || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

HAPI_DB_ARGS=()
if [ "$DB" = postgresql ]; then
    # One private cluster, as the tests and scaleout-bench.sh run it: initdb refuses root, so the
    # cluster belongs to the postgres user under root; loopback only, a free port.
    PG_PORT=$(free_port)
    NEW_CLUSTER=""
    if [ ! -f "$WORK/pg/data/PG_VERSION" ]; then
        NEW_CLUSTER=yes
        mkdir -p "$WORK/pg/data" "$WORK/pg/run"
        echo bench-password >"$WORK/pg/password"
        [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$WORK/pg"
        "${AS_PG[@]}" "$PG_BIN/initdb" -D "$WORK/pg/data" -U quorum --pwfile="$WORK/pg/password" \
            --auth=scram-sha-256 -E UTF8 --locale=C >/dev/null
    fi
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w \
        -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $WORK/pg/run -c max_connections=100" start >/dev/null
    if [ -n "$NEW_CLUSTER" ]; then
        for db in quorum hapi; do
            PGPASSWORD=bench-password "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U quorum -d postgres -c "CREATE DATABASE $db"
        done
    fi
    if [ ! -f "$WORK/secrets.key" ]; then
        head -c 32 /dev/urandom | base64 >"$WORK/secrets.key"
        chmod 600 "$WORK/secrets.key"
    fi
    # Quorum reads these (its CLI calls below too).
    export QUORUM_DB_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/quorum" QUORUM_DB_USER=quorum
    export QUORUM_DB_PASSWORD=bench-password QUORUM_SECRETS_KEY_FILE="$WORK/secrets.key"
    HAPI_DB_ARGS=("jdbc:postgresql://127.0.0.1:$PG_PORT/hapi" quorum bench-password)
fi
wait_http() {
    for _ in $(seq 1 1500); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
    echo "$1 did not answer" >&2; return 1
}

# The stock server: compiled against the HAPI jars Quorum ships, logging as Quorum's (WARN).
javac -d "$WORK/hapi-classes" -cp "$LIB/*" "$ROOT/conformance/bench/StockHapiServer.java"
QPORT=$(free_port); HPORT=$(free_port)
# shellcheck disable=SC2086
QUORUM_DATA_DIR="$WORK/quorum" QUORUM_HTTP_PORT=$QPORT QUORUM_HTTP_HOST=127.0.0.1 \
    java $JAVA_OPTS ${QUORUM_PROFILE_OPTS:-} -jar "$JAR" serve >"$WORK/quorum.log" 2>&1 &
QUORUM_PID=$!
# shellcheck disable=SC2086
java $JAVA_OPTS -Dlogback.configurationFile="$ROOT/server/src/main/resources/logback.xml" \
    -cp "$WORK/hapi-classes:$LIB/*" StockHapiServer "$HPORT" "$WORK/hapi" "${HAPI_DB_ARGS[@]}" >"$WORK/hapi.log" 2>&1 &
HAPI_PID=$!

wait_http "http://127.0.0.1:$HPORT/fhir/metadata"
wait_http "http://127.0.0.1:$QPORT/health/ready"
export QUORUM_DATA_DIR="$WORK/quorum"
[ -n "$CONTINUED" ] || java -jar "$JAR" user add bench --role project-admin >/dev/null
# A million labels take over an hour to load: a token of the default lifetime (60 min) expired in
# the middle of such a run (401 "the token has expired"). The longest lifetime Quorum issues.
TOKEN=$(java -jar "$JAR" user token bench --lifetime 24h | tail -1)

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: $(java -version 2>&1 | head -1); Quorum $(git -C "$ROOT" rev-parse --short HEAD)$([ -n "${QUORUM_JAR:-}" ] && echo " (QUORUM_JAR=$QUORUM_JAR)"); HAPI FHIR $(ls "$LIB" | sed -n 's/^hapi-fhir-jpaserver-base-\(.*\)\.jar$/\1/p'); $([ "$DB" = postgresql ] && echo "PostgreSQL JDBC $(ls "$LIB" | sed -n 's/^postgresql-\(.*\)\.jar$/\1/p')" || echo "H2 $(ls "$LIB" | sed -n 's/^h2-\(.*\)\.jar$/\1/p')")"
if [ "$DB" = postgresql ]; then
    DB_CONFIG="PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') (one local cluster, a database each, default settings)"
else
    DB_CONFIG="H2 file, WRITE_DELAY=0"
fi
echo "config: both java ${JAVA_OPTS:-without options}; $DB_CONFIG, 20 pooled connections; Quorum default settings (auth: project-admin token, audit, profile validation)${QUORUM_PROFILE_OPTS:+ + $QUORUM_PROFILE_OPTS}; HAPI default JPA settings but no search-result cache reuse"
STATE_ARGS=()
[ -n "$KEEP" ] && STATE_ARGS=(-Dstate.dir="$WORK/bench-state")
java "${STATE_ARGS[@]}" -Dlabels.per.bundle="$LABEL_BUNDLE" -Dlabels.order="$LABEL_ORDER" -Dpid.quorum="$QUORUM_PID" -Dpid.hapi="$HAPI_PID" -Dclk.tck="$(getconf CLK_TCK)" -cp "$LIB/*" \
    "$ROOT/conformance/bench/FhirBench.java" "$DATA" "$COPIES" "$PASSES" "$LABELS" "$QUERIES" "$CLIENTS" \
    "$ROOT/fhir-profiles/src/main/fhir/SearchParameter-quorum-project.json" \
    "quorum=http://127.0.0.1:$QPORT/fhir/|$TOKEN" \
    "hapi=http://127.0.0.1:$HPORT/fhir/"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
