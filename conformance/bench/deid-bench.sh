#!/usr/bin/env bash
# DICOM de-identification, Quorum vs gdcmanon -e (Debian libgdcm-tools), side by side on the same
# files: the shared DICOM files gdcmanon accepts (testdata/deid-dicom and testdata/dicom), copied
# COPIES times into one folder (50 copies = 1,000 files). Per pass, interleaved: gdcmanon -e on the
# folder, Quorum in-process with 1 thread and with one per processor, and the packaged CLI
# (java -jar quorum-server.jar deid dicom: its JVM start and dictionary load count once per run)
# with --threads 1 and with its default. One warm-up pass, then the median of 3; prints a table
# with the ratio to gdcmanon's files/s.
#
#   ./quorum build && conformance/bench/deid-bench.sh [COPIES]
#
# QUORUM_JAR runs another build's jar (its lib/ folder beside it gives the in-process code too);
# the CLI's JVM gets ./quorum's default options (./quorum java-options), or QUORUM_JAVA_OPTS.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
COPIES=${1:-50}
JAR=${QUORUM_JAR:-$ROOT/server/target/quorum-server.jar}
LIB=$(dirname "$JAR")/lib
[ -f "$JAR" ] && [ -d "$LIB" ] || { echo "missing $JAR or $LIB: run ./quorum build first" >&2; exit 1; }
command -v gdcmanon >/dev/null || { echo "gdcmanon missing: apt-get install libgdcm-tools" >&2; exit 1; }
# The benchmark class lives in the deid module's test classes (not in the product jar).
if [ ! -f "$ROOT/deid/target/test-classes/org/quorum/deid/dicom/DicomDeidBenchmark.class" ] ||
    [ -n "$(find "$ROOT/deid/src/test" -newer "$ROOT/deid/target/test-classes/org/quorum/deid/dicom/DicomDeidBenchmark.class" -name '*.java' -print -quit)" ]; then
    (cd "$ROOT" && mvn -B -ntp -o -q -pl deid -am test-compile -Dspotless.check.skip=true)
fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: $(java -version 2>&1 | head -1); gdcm $(dpkg-query -W -f='${Version}' libgdcm-tools 2>/dev/null || gdcmanon --version | head -1); quorum $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') ($JAR)"
export QUORUM_JAVA_OPTS=${QUORUM_JAVA_OPTS-$("$ROOT/quorum" java-options)}
echo "CLI JVM options: ${QUORUM_JAVA_OPTS:-(none)}"
java -cp "$ROOT/deid/target/test-classes:$LIB/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    org.quorum.deid.dicom.DicomDeidBenchmark "$ROOT/testdata" "$COPIES" "$JAR" 2>&1 | grep -v ' DEBUG '
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
