#!/usr/bin/env bash
# DICOMweb benchmark: Quorum (the packaged jar, embedded H2) and Orthanc (+ DICOMweb plugin) side by
# side on this machine, the same instances STOWed to each, the same QIDO queries against each.
# Prints, as the median of the measured passes after a warm-up pass, STOW-RS instances/s with 1, 4
# and 16 clients (one instance per request and one study of 10 instances per request), QIDO-RS
# p50/p95 and WADO-RS MB/s for both, and the ratio Quorum/Orthanc.
#
#   conformance/bench/dicomweb-bench.sh [studies=20] [queries=300] [passes=3]
#
# QUORUM_BENCH_JAVA_OPTS adds JVM options to Quorum's (e.g. a JFR recording to profile it);
# QUORUM_JAR runs another build of Quorum (e.g. the one before a change).
#
# Needs: server/target/quorum-server.jar (./quorum build), Debian orthanc + orthanc-dicomweb,
# libpixelmed-java, testdata/dicom (or DICOM_DATA). Both servers listen on 127.0.0.1 only
# (Orthanc: RemoteAccessAllowed false) on free ports, with their own temporary data directories.
set -euo pipefail

STUDIES=${1:-20}
QUERIES=${2:-300}
PASSES=${3:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR=${QUORUM_JAR:-$ROOT/server/target/quorum-server.jar}
PIXELMED=/usr/share/java/pixelmed.jar
DATA=${DICOM_DATA:-$ROOT/testdata/dicom}
[ -f "$JAR" ] || { echo "missing $JAR: run ./quorum build first" >&2; exit 1; }
for f in /usr/sbin/Orthanc /usr/share/orthanc/plugins/libOrthancDicomWeb.so "$PIXELMED"; do
    [ -e "$f" ] || { echo "missing $f: apt-get install orthanc orthanc-dicomweb libpixelmed-java" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/quorum-bench-XXXXXX)
QUORUM_PID=""; ORTHANC_PID=""
cleanup() {
    [ -n "$QUORUM_PID" ] && kill "$QUORUM_PID" 2>/dev/null && wait "$QUORUM_PID" 2>/dev/null || true
    [ -n "$ORTHANC_PID" ] && kill "$ORTHANC_PID" 2>/dev/null && wait "$ORTHANC_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_http() {
    for _ in $(seq 1 600); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
    echo "$1 did not answer" >&2; return 1
}

QPORT=$(free_port); OPORT=$(free_port); ODICOM=$(free_port)
export QUORUM_DATA_DIR="$WORK/quorum" QUORUM_HTTP_PORT=$QPORT QUORUM_HTTP_HOST=127.0.0.1
# shellcheck disable=SC2086
java ${QUORUM_BENCH_JAVA_OPTS:-} -jar "$JAR" serve >"$WORK/quorum.log" 2>&1 &
QUORUM_PID=$!

cat >"$WORK/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$WORK/orthanc/storage", "IndexDirectory": "$WORK/orthanc/index",
  "HttpPort": $OPORT, "DicomPort": $ODICOM, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
  "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
  "DicomWeb": { "Enable": true, "Root": "/dicom-web/" } }
JSON
/usr/sbin/Orthanc "$WORK/orthanc.json" >"$WORK/orthanc.log" 2>&1 &
ORTHANC_PID=$!

wait_http "http://127.0.0.1:$OPORT/system"
wait_http "http://127.0.0.1:$QPORT/health/ready"
java -jar "$JAR" user add bench --role project-admin >/dev/null
TOKEN=$(java -jar "$JAR" user token bench | tail -1)

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: $(java -version 2>&1 | head -1), $(/usr/sbin/Orthanc --version 2>&1 | head -1), DICOMweb plugin $(dpkg-query -W -f='${Version}' orthanc-dicomweb 2>/dev/null)"
echo "config: Quorum default settings (embedded H2, java -jar without options${QUORUM_BENCH_JAVA_OPTS:+ + $QUORUM_BENCH_JAVA_OPTS}); Orthanc default settings (SQLite index, file storage)"
java -Ddicom.data="$DATA" -Dpid.quorum="$QUORUM_PID" -Dpid.orthanc="$ORTHANC_PID" -Dclk.tck="$(getconf CLK_TCK)" -cp "$PIXELMED" "$ROOT/conformance/bench/DicomWebBench.java" "$STUDIES" "$QUERIES" "$PASSES" \
    "quorum=http://127.0.0.1:$QPORT/dicomweb/|$TOKEN" \
    "orthanc=http://127.0.0.1:$OPORT/dicom-web/"
