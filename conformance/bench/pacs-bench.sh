#!/usr/bin/env bash
# PACS throughput: Orthanc (the PACS) -> bridge (de-identification in the route) -> Quorum, over
# DICOMweb and over DIMSE C-MOVE, next to a plain Orthanc -> Orthanc transfer of the same studies
# (HTTP peers and C-STORE), in one run (PacsBench in camel-routes' tests).
#
#   conformance/bench/pacs-bench.sh [studies, default 20 (3 CT slices each)]
#
# Needs: the server jar (./quorum build), Debian orthanc and orthanc-dicomweb. Loopback only.
set -euo pipefail

STUDIES=${1:-20}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR="$ROOT/server/target/quorum-server.jar"
[ -f "$JAR" ] || { echo "missing $JAR: run ./quorum build first" >&2; exit 1; }

cd "$ROOT"
CP_FILE=$(mktemp /tmp/quorum-pacs-bench-cp-XXXXXX)
trap 'rm -f "$CP_FILE"' EXIT
mvn -B -ntp -q -pl camel-routes -am test-compile -Dspotless.check.skip=true >/dev/null
mvn -B -ntp -q -pl camel-routes dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1); Quorum $(git rev-parse --short HEAD), H2"
java -Xmx2g -Dquorum.server.jar="$JAR" -Dquorum.testdata="$ROOT/testdata" \
    -Dlogback.configurationFile="$ROOT/camel-routes/src/test/resources/logback-test.xml" \
    -cp "$ROOT/camel-routes/target/test-classes:$ROOT/camel-routes/target/classes:$ROOT/deid/target/classes:$ROOT/deid/target/test-classes:$ROOT/config/target/classes:$(cat "$CP_FILE")" \
    org.quorum.bridge.bench.PacsBench "$STUDIES"
