#!/usr/bin/env bash
# Large STOW-RS with a small heap: Quorum (the packaged jar, default settings but -Xmx512m and a
# STOW-RS limit above the body, QUORUM_HTTP_MAX_STOW_MB) receives one instance of about 2048 MiB
# (2 GiB) in one STOW-RS request. Prints the HTTP status, the peak heap used while it was received (jstat,
# every 0.2 s), the time, and whether WADO-RS returns the stored instance byte for byte.
#
#   conformance/bench/large-stow-check.sh [MiB=2048]
#
# QUORUM_JAR runs another build (e.g. one from before issue 16, which read the body into memory;
# builds before QUORUM_HTTP_MAX_STOW_MB take at most 1990 MiB, under their request limit of 2000).
set -euo pipefail

MIB=${1:-2048}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR=${QUORUM_JAR:-$ROOT/server/target/quorum-server.jar}
PIXELMED=/usr/share/java/pixelmed.jar
[ -f "$JAR" ] || { echo "missing $JAR: run ./quorum build first" >&2; exit 1; }
WORK=$(mktemp -d /tmp/quorum-large-stow-XXXXXX)
QUORUM_PID=""
cleanup() {
    [ -n "$QUORUM_PID" ] && kill "$QUORUM_PID" 2>/dev/null && wait "$QUORUM_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

PORT=$(free_port)
export QUORUM_DATA_DIR="$WORK/quorum" QUORUM_HTTP_PORT=$PORT QUORUM_HTTP_HOST=127.0.0.1 QUORUM_HTTP_MAX_STOW_MB=$((MIB + 64)) QUORUM_HTTP_MAX_REQUEST_MB=2000
java -Xmx512m -jar "$JAR" serve >"$WORK/quorum.log" 2>&1 &
QUORUM_PID=$!
BOUNDARY=large-$RANDOM$RANDOM
read -r STUDY SERIES SOP < <(java -cp "$PIXELMED" "$ROOT/conformance/bench/LargeStow.java" \
    "$ROOT/testdata/dicom/pydicom/CT_small.dcm" "$WORK/body" "$MIB" "$BOUNDARY")
for _ in $(seq 1 600); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health/ready" 2>/dev/null && break; sleep 0.2; done
java -jar "$JAR" user add bench --role project-admin >/dev/null
TOKEN=$(java -jar "$JAR" user token bench | tail -1)
echo "body: $(stat -c %s "$WORK/body") bytes; Quorum -Xmx512m; $(java -version 2>&1 | head -1)"

peak=0
( while kill -0 "$QUORUM_PID" 2>/dev/null; do
    jstat -gc "$QUORUM_PID" 2>/dev/null | awk 'NR==2 {printf "%d\n", ($3+$4+$6+$8)/1024}'
    sleep 0.2
  done ) >"$WORK/heap" &
SAMPLER=$!
start=$(date +%s.%N)
status=$(curl -sS -o "$WORK/response" -w '%{http_code}' -X POST -T "$WORK/body" \
    -H "Authorization: Bearer $TOKEN" -H "Accept: application/dicom+json" \
    -H "Content-Type: multipart/related; type=\"application/dicom\"; boundary=$BOUNDARY" \
    "http://127.0.0.1:$PORT/dicomweb/studies")
end=$(date +%s.%N)
kill "$SAMPLER" 2>/dev/null || true
peak=$(sort -n "$WORK/heap" | tail -1)
echo "STOW status $status in $(echo "$end - $start" | bc) s; peak heap used while receiving: ${peak} MiB (of 512)"
[ "$status" = 200 ] || { head -c 400 "$WORK/response"; echo; exit 1; }
# The part is the body between "--B CRLF Content-Type: application/dicom CRLF CRLF" and "CRLF --B-- CRLF".
expected=$(tail -c +$(( 39 + ${#BOUNDARY} + 1 )) "$WORK/body" | head -c -$(( 8 + ${#BOUNDARY} )) \
    | sha256sum | cut -d' ' -f1)
got=$(curl -sS -H "Authorization: Bearer $TOKEN" -H 'Accept: multipart/related; type="application/dicom"; transfer-syntax=*' \
    "http://127.0.0.1:$PORT/dicomweb/studies/$STUDY/series/$SERIES/instances/$SOP" -o - \
    | python3 -c '
import hashlib, sys
data = sys.stdin.buffer
h = hashlib.sha256(); buf = b""
# strip the multipart framing of a one-part WADO response: headers end at the first CRLFCRLF
first = data.read(4096); i = first.index(b"\r\n\r\n") + 4
rest = first[i:]
tail = b""
for chunk in iter(lambda: data.read(1 << 20), b""):
    rest += chunk
    h.update(rest[:-200]); tail = rest[-200:]; rest = tail
j = rest.rfind(b"\r\n--")
h.update(rest[:j]); print(h.hexdigest())')
echo "WADO-RS returns the stored instance byte for byte: $([ "$expected" = "$got" ] && echo yes || echo "NO ($expected vs $got)")"
