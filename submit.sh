#!/usr/bin/env bash
# deq-sweep launcher (DESIGN 6).
#   ./submit.sh conf/quickstart.yaml [--master M] [--out DIR] [--resume|--overwrite] [--set k=v]... [--conf k=v]... [--dry-run]
#   ./submit.sh query DIR ["SQL"] [--format table|csv|json] [--output FILE] [--remote sc://HOST:PORT | --local]
#   ./submit.sh serve DIR... [--port 15002] [--bind 127.0.0.1]   (a Spark Connect server over the sweeps' tables)
#   ./submit.sh report DIR [--to DIR]            ./submit.sh replay DIR RUN_ID [--dump FILE]
#   ./submit.sh one-run CONFIG.yaml|json [--dump FILE] [--data FILE] [--init FILE]   (solver core, no Spark)
#   ./submit.sh bench [--quick]                  (solver-core benchmark against the NumPy peer, no Spark)
#   ./submit.sh bench-fanout [SPEC.yaml]         (plain loop vs the sweep on local[1] and local[2])
#   ./submit.sh bench-memory [--only SUBSTRING]  (the memory estimate against the smallest heap real runs need)
#   ./submit.sh bench-paper [--reps R]           (the width-1 paper protocols: scalar path, matrix path, NumPy peer)
#   ./submit.sh cluster start|status|stop        (a standalone Spark cluster on 127.0.0.1 from the build's jars)
#   ./submit.sh bench-storage [SPEC.yaml]        (the spec into a local dir, HDFS and S3 servers on 127.0.0.1)
#   ./submit.sh bench-serve [DIR] [--reps R]     (SQL latency: query commands with and without serve, a Connect client)
# With $SPARK_HOME set: $SPARK_HOME/bin/spark-submit with the shaded application jar (serve: always the embedded Spark).
# Without: the embedded Spark from the Maven build: for a local master cli.Main itself, else
#   java ... org.apache.spark.deploy.SparkSubmit.
# Environment: DRIVER_MEMORY (default 4g), SPARK_HOME, MVN (default mvn), MVN_FLAGS (e.g. -o),
#   DEQ_CDS=0 (no class-data archive), DEQ_JIT=default (the JVM's own JIT policy; DESIGN 5.6).
#   DEQ_APP_JAR, DEQ_CLASSPATH_FILE: another application jar and runtime classpath, no build (the tests)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DEQ_LAUNCHER="${DEQ_LAUNCHER:-$0}" # named in the --resume line a failed sweep prints
TARGET="$ROOT/sweep-job/target"
APP_JAR="${DEQ_APP_JAR:-$TARGET/sweep-job-0.1.0-SNAPSHOT-app.jar}"
CLASSPATH_FILE="${DEQ_CLASSPATH_FILE:-$TARGET/runtime-classpath.txt}"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar" # the benchmarks module: in neither jar above
export DEQ_CLASSPATH_FILE="$CLASSPATH_FILE"
DEFAULTS="$ROOT/conf/spark-defaults.conf"
DRIVER_MEMORY="${DRIVER_MEMORY:-4g}"

needs_build() {
  [[ -z "${DEQ_APP_JAR:-}" ]] || return 1 # the tests bring their own jar and classpath
  [[ -f "$APP_JAR" && -f "$CLASSPATH_FILE" && -f "$BENCH_JAR" ]] || return 0
  [[ -n "$(find "$ROOT/pom.xml" "$ROOT/solver-core" "$ROOT/sweep-job/pom.xml" "$ROOT/sweep-job/src/main" "$ROOT/benchmarks" \
      -newer "$APP_JAR" \( -name '*.java' -o -name 'pom.xml' -o -path '*/resources/*' \) -type f -print -quit 2>/dev/null)" ]]
}

if needs_build; then
  echo "submit.sh: building (mvn -q -B -Dmaven.test.skip=true package) ..." >&2
  (cd "$ROOT" && ${MVN:-mvn} -q -B ${MVN_FLAGS:-} -Dmaven.test.skip=true package) >&2
fi

# commands of the solver core alone: a plain JVM on the built classpath, no Spark
case "${1:-}" in
  one-run) shift; exec java -cp "$(cat "$CLASSPATH_FILE"):$APP_JAR" org.deqsweep.core.io.OneRun "$@" ;;
  bench) shift; cd "$ROOT"; exec java -cp "$(cat "$CLASSPATH_FILE"):$APP_JAR:$BENCH_JAR" org.deqsweep.bench.CoreBenchmark "$@" ;;
  bench-memory) shift; exec java -cp "$(cat "$CLASSPATH_FILE"):$APP_JAR:$BENCH_JAR" org.deqsweep.bench.MemoryBenchmark "$@" ;;
  bench-paper) shift; cd "$ROOT"; exec java -cp "$(cat "$CLASSPATH_FILE"):$APP_JAR:$BENCH_JAR" org.deqsweep.bench.PaperScaleBenchmark "$@" ;;
  cluster) shift; exec "$ROOT/sweep-job/bin/cluster.sh" "$@" ;;
  bench-storage) shift; exec "$ROOT/benchmarks/bin/bench-storage.sh" "$@" ;;
esac

# pass --master to spark-submit itself (it also reaches the app through spark.master); default local[*]
MASTER="local[*]"
ARGS=()
while (($#)); do
  case "$1" in
    --master) MASTER="$2"; shift 2 ;;
    --master=*) MASTER="${1#--master=}"; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done

# the JVM options Spark's launcher would add on Java 17 (one list, kept in the parent pom)
FLAGS="$(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' "$ROOT/pom.xml")"
# the JVM's own warnings go to stderr, never into a query's stdout (DESIGN 5.6)
FLAGS="$FLAGS -Xlog:disable -Xlog:all=warning:stderr -Xlog:cds*=off:stderr"
# A query that a running serve answers (--remote, or the sweep's _serve.json; DESIGN 6.1) needs only the Spark
# Connect client: a plain JVM on the same classpath, spark-defaults.conf as system properties, no SparkSubmit,
# and a class-data archive of its own (the client's classes are not a sweep's)
REMOTE_QUERY=0
if [[ "${ARGS[0]:-}" == query && -z "${SPARK_HOME:-}" ]]; then
  LOCAL_QUERY=0
  for a in "${ARGS[@]:1}"; do
    case "$a" in
      --remote|--remote=*) REMOTE_QUERY=1 ;;
      --local) LOCAL_QUERY=1 ;;
    esac
  done
  if [[ "$REMOTE_QUERY" == 0 && -n "${ARGS[1]:-}" ]] \
      && { compgen -G "${ARGS[1]}/_serve.json" || compgen -G "${ARGS[1]}/*/_serve.json"; } >/dev/null; then
    REMOTE_QUERY=1
  fi
  if [[ "$LOCAL_QUERY" == 1 ]]; then REMOTE_QUERY=0; fi
fi
# query, report and serve run Spark's code only, which JitPolicy keeps at C1 anyway: C1 alone then skips
# the profiling tier and C2's compiles, which race the command on two cores (DESIGN 5.6). Measured, medians
# side by side: a query through serve 1.81 s against 2.13 s, with a session of its own 5.4 s against 7.6 s;
# the quickstart's report 17.8 s against 24.1 s. JitPolicy's C2 exclusions then have nothing to do
# (DEQ_JIT=default skips them); DEQ_JIT=default set by the caller keeps the JVM's own policy.
JIT_FLAGS=""
if [[ ( "${ARGS[0]:-}" == query || "${ARGS[0]:-}" == report || "${ARGS[0]:-}" == serve ) && "${DEQ_JIT:-}" != default ]]; then
  JIT_FLAGS="-XX:TieredStopAtLevel=1"
  export DEQ_JIT=default
fi
# a class-data archive (AppCDS) per kind of command, of the classes that kind loads: sweeps; the commands
# that read the tables (query, report, serve, replay); a query through serve (above). Written at the exit of
# the first command of its kind after a build that does the real work (not --dry-run or --help) and exits 0,
# mapped by every later one, which then loads Spark's classes in a fraction of the time. One archive for all
# kinds held whatever the first command loaded: written by a report, it left 3051 of a sweep's classes to the
# jars (SweepJob, Parquet's writers, SnakeYAML), and fresh one-point sweeps took 5.95 to 6.15 s against 5.22 to
# 5.59 s with a sweep's archive, the quickstart 17.3 to 20.4 s against 16.8 to 18.6 s (three interleaved pairs
# each; DESIGN 5.6). DEQ_CDS=0 turns it off (the tests, which bring their own jar, never use it).
case "${ARGS[0]:-}" in
  query|report|serve|replay) CDS_KIND=tables ;;
  *) CDS_KIND=sweep ;;
esac
if [[ "$REMOTE_QUERY" == 1 ]]; then CDS_KIND=query-remote; fi
CDS_ARCHIVE="$TARGET/deq-sweep-classes-$CDS_KIND.jsa"
CDS_REPRESENTATIVE=1
for a in "${ARGS[@]}"; do
  case "$a" in --dry-run|--help|-h|--version|-V) CDS_REPRESENTATIVE=0 ;; esac
done
CDS_WRITE=""
CDS_FLAGS=""
if [[ -z "${DEQ_APP_JAR:-}" && "${DEQ_CDS:-1}" != 0 ]]; then
  if [[ -f "$CDS_ARCHIVE" && "$CDS_ARCHIVE" -nt "$APP_JAR" && "$CDS_ARCHIVE" -nt "$CLASSPATH_FILE" ]]; then
    CDS_FLAGS="-XX:SharedArchiveFile=$CDS_ARCHIVE"
  elif [[ "$CDS_REPRESENTATIVE" == 1 ]]; then
    CDS_WRITE="$CDS_ARCHIVE.$$.tmp"
    CDS_FLAGS="-XX:ArchiveClassesAtExit=$CDS_WRITE"
  fi
fi
# the SQL latency benchmark: query commands with and without a serve it starts, and a Connect client in its JVM
if [[ "${ARGS[0]:-}" == bench-serve ]]; then
  cd "$ROOT"
  # shellcheck disable=SC2086
  exec java -Xmx1g $FLAGS -cp "$(cat "$CLASSPATH_FILE"):$APP_JAR:$BENCH_JAR" org.deqsweep.bench.ServeBenchmark "${ARGS[@]:1}"
fi
# the fan-out benchmark: a plain loop and the sweep on local[1] and local[2], in one JVM it times itself
if [[ "${ARGS[0]:-}" == bench-fanout ]]; then
  cd "$ROOT"
  export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
  # shellcheck disable=SC2086
  exec java -Xmx"$DRIVER_MEMORY" $FLAGS -cp "$(cat "$CLASSPATH_FILE"):$APP_JAR:$BENCH_JAR" org.deqsweep.bench.FanoutBenchmark "${ARGS[@]:1}"
fi
# serve needs the Spark Connect server, which the build brings and a Spark distribution may not: embedded Spark
if [[ -n "${SPARK_HOME:-}" && "${ARGS[0]:-}" != serve ]]; then
  exec "$SPARK_HOME/bin/spark-submit" --master "$MASTER" --driver-memory "$DRIVER_MEMORY" ${JIT_FLAGS:+--driver-java-options "$JIT_FLAGS"} \
    --properties-file "$DEFAULTS" --class org.deqsweep.sweep.cli.Main "$APP_JAR" "${ARGS[@]}"
fi

export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# A local master needs nothing SparkSubmit does: the driver and its executors are this JVM, on a classpath
# that already holds the application, so there is no jar to ship. cli.Main then starts directly, with what
# SparkSubmit would have set, the master and spark-defaults.conf, as system properties (SparkConf reads
# them). SparkSubmit cost a fresh command 0.8 s of wall time and 1.3 s of CPU before Main ran (`sweep --help`
# took 1.8 s through it, 1.0 s without; DESIGN 5.6). A cluster master goes through SparkSubmit, which ships the jar.
if [[ "$REMOTE_QUERY" == 1 || "$MASTER" == local || "$MASTER" == local\[* ]]; then
  # what SparkSubmit would set (for a remote query: should it fall back to a session of its own): the master,
  # and the properties file, which cli.Main loads as SparkSubmit does (cli.SparkDefaults)
  PROPS=(-Dspark.master="$MASTER" -Ddeq.spark.defaults="$DEFAULTS")
  # shellcheck disable=SC2206
  CMD=(java -Xmx"$DRIVER_MEMORY" $JIT_FLAGS $FLAGS $CDS_FLAGS "${PROPS[@]}" -cp "$(cat "$CLASSPATH_FILE"):$APP_JAR"
    org.deqsweep.sweep.cli.Main "${ARGS[@]}")
else
  # shellcheck disable=SC2206  # JIT_FLAGS, FLAGS and CDS_FLAGS are lists of options
  CMD=(java -Xmx"$DRIVER_MEMORY" $JIT_FLAGS $FLAGS $CDS_FLAGS -cp "$(cat "$CLASSPATH_FILE"):$APP_JAR"
    org.apache.spark.deploy.SparkSubmit --master "$MASTER" --properties-file "$DEFAULTS"
    --class org.deqsweep.sweep.cli.Main "$APP_JAR" "${ARGS[@]}")
fi
if [[ -z "$CDS_WRITE" ]]; then
  exec "${CMD[@]}"
fi
# the archiving run: the JVM writes the archive as it exits; it is moved into place whole, so a command
# started meanwhile never maps a half-written file. Ctrl-C and SIGTERM are passed on to the JVM, which
# keeps the terminal's stdin (the query prompt reads it).
"${CMD[@]}" <&0 &
JVM=$!
trap 'kill -TERM "$JVM" 2>/dev/null' TERM INT
while kill -0 "$JVM" 2>/dev/null; do wait "$JVM" || true; done # a trapped signal ends a wait early
RC=0
wait "$JVM" || RC=$?
# a command that failed loaded only part of its kind's classes: its archive is dropped, the next command writes one
if [[ "$RC" == 0 && -s "$CDS_WRITE" ]]; then mv -f "$CDS_WRITE" "$CDS_ARCHIVE"; else rm -f "$CDS_WRITE"; fi
exit "$RC"
