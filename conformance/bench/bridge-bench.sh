#!/usr/bin/env bash
# Bridge throughput: EHR (HAPI FHIR server with testdata/synthea-10pt) -> bridge (de-identification
# in the route) -> Quorum, end to end, next to Quorum's raw transaction ingest of the same
# de-identified resources into a fresh Quorum, in one run (BridgeBench in camel-routes' tests).
#
#   conformance/bench/bridge-bench.sh [cohort query, default DocumentReference] [EHR page size, default 50]
#
# Needs: the server jar (./quorum build). Builds the bridge's test classes; loopback only.
set -euo pipefail

QUERY=${1:-DocumentReference}
PAGE=${2:-50}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR="$ROOT/server/target/quorum-server.jar"
[ -f "$JAR" ] || { echo "missing $JAR: run ./quorum build first" >&2; exit 1; }

cd "$ROOT"
mvn -B -ntp -q -pl camel-routes -am install -DskipTests -Dspotless.check.skip=true >/dev/null
CP_FILE=$(mktemp /tmp/quorum-bridge-bench-cp-XXXXXX)
trap 'rm -f "$CP_FILE"' EXIT
mvn -B -ntp -q -pl camel-routes test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" -Dspotless.check.skip=true >/dev/null

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1); Quorum $(git rev-parse --short HEAD), H2"
java -Xmx2g -Dquorum.server.jar="$JAR" -Dquorum.testdata="$ROOT/testdata" -Dquorum.ehr.pagesize="$PAGE" \
    -Dlogback.configurationFile="$ROOT/camel-routes/src/test/resources/logback-test.xml" \
    -cp "$ROOT/camel-routes/target/test-classes:$ROOT/camel-routes/target/classes:$(cat "$CP_FILE")" \
    org.quorum.bridge.bench.BridgeBench "$QUERY"
