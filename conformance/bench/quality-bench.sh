#!/usr/bin/env bash
# Quality operations at scale (issue 16): $agreement, $bias-report and $class-balance read from the
# label index at 10k, 100k and 1M labels, and (on projects loaded through FHIR) also through the FHIR
# store as before the index (labelSource=store). QualityBench.java says how labels are loaded.
#
#   conformance/bench/quality-bench.sh [fhir sizes=1000,3000] [direct sizes=10000,100000,1000000] [passes=3]
#
# Each project is timed right after it is loaded: one warm-up call, then the median of <passes>
# calls, with the operations' defaults (1000 bootstrap replicates per interval for $agreement),
# and $agreement once more with ci=0 (no intervals). $agreement with its intervals is timed only up
# to QUORUM_BENCH_BOOTSTRAP_MAX_LABELS labels (default 10000): above, one call takes minutes.
#
# Needs: server/target/quorum-server.jar and server/target/lib (./quorum build; QUORUM_JAR names
# another copy, with its lib/ beside it). The server runs in the benchmark's JVM (so that the direct
# loader can reach the label index), on 127.0.0.1, a free port and a temporary data directory.
set -euo pipefail

FHIR_SIZES=${1:-1000,3000}
DIRECT_SIZES=${2:-10000,100000,1000000}
PASSES=${3:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR=${QUORUM_JAR:-$ROOT/server/target/quorum-server.jar}
[ -f "$JAR" ] || { echo "missing $JAR: run ./quorum build first" >&2; exit 1; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
echo "jar: $JAR; through FHIR: $FHIR_SIZES; direct: $DIRECT_SIZES; median of $PASSES after a warm-up"
java ${QUORUM_JAVA_OPTS:-} -cp "$JAR:$(dirname "$JAR")/lib/*" "$ROOT/conformance/bench/QualityBench.java" \
    "$FHIR_SIZES" "$DIRECT_SIZES" "$PASSES"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
