#!/usr/bin/env bash
# A Spark standalone cluster on loopback, from the Maven build's jars (no Spark installation):
# one Master and two Workers (1 core, 2g each) as background java processes.
#   ./submit.sh cluster start     starts what is not running, waits until both workers registered,
#                                 prints the master URL
#   ./submit.sh cluster status    the recorded processes and the workers the master sees
#   ./submit.sh cluster stop      stops exactly the processes start recorded
# State (pid files, logs, worker dirs, the executors' scratch space): $DEQ_CLUSTER_DIR (default target/cluster/).
# Ports: DEQ_MASTER_PORT (7077), DEQ_MASTER_UI_PORT (8080, or the next free port when taken).
# SPARK_HOME for the workers and their executors: sweep-job/target/spark-home, whose jars/ links the
# runtime classpath minus what the application jar carries, like a Spark installation
# (DEQ_SPARK_HOME and DEQ_CLASSPATH_FILE change both; the tests use their own).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGET="$ROOT/sweep-job/target"
CLASSPATH_FILE="${DEQ_CLASSPATH_FILE:-$TARGET/runtime-classpath.txt}"
STATE="${DEQ_CLUSTER_DIR:-$ROOT/target/cluster}"
MASTER_PORT="${DEQ_MASTER_PORT:-7077}"
HOST=127.0.0.1
WORKERS=2
WORKER_CORES=1
WORKER_MEMORY=2g
DAEMON_MEMORY="${DEQ_DAEMON_MEMORY:-512m}"
SPARK_HOME_DIR="${DEQ_SPARK_HOME:-$TARGET/spark-home}"
FLAGS="$(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' "$ROOT/pom.xml")"

die() { echo "cluster: $*" >&2; exit 2; }

# a pid file's process, if it is alive and still one of ours (a Spark daemon), else empty
live_pid() {
  local f="$STATE/$1.pid" pid
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null \
      && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "org.apache.spark.deploy"; then
    echo "$pid"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

ui_port() { cat "$STATE/master-ui-port" 2>/dev/null || true; }

alive_workers() {
  local ui; ui="$(ui_port)"
  [[ -n "$ui" ]] || { echo 0; return; }
  curl -sf --max-time 5 "http://$HOST:$ui/json/" 2>/dev/null \
    | sed -n 's/.*"aliveworkers" *: *\([0-9]*\).*/\1/p' | head -n 1 | grep . || echo 0
}

# SPARK_HOME/jars: the runtime classpath without the project's code and the libraries the
# application jar carries, so executors get those only from the submitted jar, as on a real cluster
make_spark_home() {
  [[ -f "$CLASSPATH_FILE" ]] || die "$CLASSPATH_FILE missing; build first (mvn -B -DskipTests package)"
  mkdir -p "$SPARK_HOME_DIR/jars"
  local jar keep
  keep="$(tr ':' '\n' < "$CLASSPATH_FILE" | grep '\.jar$' \
    | grep -Ev '/solver-core|/org/deqsweep/|/org/ejml/|/info/picocli/|/org/knowm/|/de/erichseifert/|/de/rototor/|/org/apache/pdfbox/|/com/madgag/')"
  # in place (another cluster may be using it): add the current jars, drop links no longer listed
  while read -r jar; do ln -sfn "$jar" "$SPARK_HOME_DIR/jars/$(basename "$jar")"; done <<< "$keep"
  for jar in "$SPARK_HOME_DIR"/jars/*; do
    grep -qxF "$(readlink "$jar")" <<< "$keep" || rm -f "$jar"
  done
}

start_daemon() { # name class args...
  local name="$1"; shift
  # scratch space (block manager, shuffle and fetched files) of the daemons and of their executors, which the
  # workers hand SPARK_LOCAL_DIRS on: in the state directory, not java.io.tmpdir, so a worker that dies or is
  # killed leaves nothing in /tmp; a caller's SPARK_LOCAL_DIRS wins
  mkdir -p "$STATE/local"
  # shellcheck disable=SC2086  # FLAGS is a list of options
  env SPARK_HOME="$SPARK_HOME_DIR" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP="$HOST" SPARK_LOCAL_DIRS="${SPARK_LOCAL_DIRS:-$STATE/local}" \
    nohup java -Xmx"$DAEMON_MEMORY" $FLAGS -cp "$SPARK_HOME_DIR/jars/*" "$@" \
    > "$STATE/$name.log" 2>&1 < /dev/null &
  echo $! > "$STATE/$name.pid"
}

cmd_start() {
  mkdir -p "$STATE"
  local master_url="spark://$HOST:$MASTER_PORT" ui
  if [[ -z "$(live_pid master)" ]]; then
    port_in_use "$MASTER_PORT" && die "port $MASTER_PORT on $HOST is in use (another Spark master?); set DEQ_MASTER_PORT"
    ui="${DEQ_MASTER_UI_PORT:-8080}"
    if [[ -z "${DEQ_MASTER_UI_PORT:-}" ]]; then
      while port_in_use "$ui"; do ui=$((ui + 1)); done
    elif port_in_use "$ui"; then
      die "port $ui on $HOST is in use; set DEQ_MASTER_UI_PORT"
    fi
    echo "$ui" > "$STATE/master-ui-port"
    echo "$master_url" > "$STATE/master-url"
    make_spark_home
    start_daemon master org.apache.spark.deploy.master.Master --host "$HOST" --port "$MASTER_PORT" --webui-port "$ui"
  else
    master_url="$(cat "$STATE/master-url")"
  fi
  ui="$(ui_port)"
  local deadline=$((SECONDS + 90))
  until curl -sf --max-time 5 "http://$HOST:$ui/json/" >/dev/null 2>&1; do
    [[ -n "$(live_pid master)" ]] || die "the master exited; see $STATE/master.log"
    ((SECONDS < deadline)) || die "the master did not answer on http://$HOST:$ui/json/ within 90 s; see $STATE/master.log"
    sleep 1
  done
  local i
  for ((i = 1; i <= WORKERS; i++)); do
    if [[ -z "$(live_pid "worker-$i")" ]]; then
      mkdir -p "$STATE/worker-$i"
      start_daemon "worker-$i" org.apache.spark.deploy.worker.Worker "$master_url" --host "$HOST" \
        --cores "$WORKER_CORES" --memory "$WORKER_MEMORY" --webui-port 0 --work-dir "$STATE/worker-$i"
    fi
  done
  # each worker's log is fresh from its start: wait for its registration line
  deadline=$((SECONDS + 120))
  for ((i = 1; i <= WORKERS; i++)); do
    until grep -q "Successfully registered with master" "$STATE/worker-$i.log" 2>/dev/null; do
      [[ -n "$(live_pid "worker-$i")" ]] || die "worker-$i exited; see $STATE/worker-$i.log"
      ((SECONDS < deadline)) || die "worker-$i did not register within 120 s; see $STATE/worker-$i.log"
      sleep 1
    done
  done
  echo "cluster: master $master_url (web UI http://$HOST:$ui), $WORKERS workers x $WORKER_CORES core, $WORKER_MEMORY; state in $STATE" >&2
  echo "$master_url"
}

cmd_status() {
  local name pid any=0
  for name in master $(for ((i = 1; i <= WORKERS; i++)); do echo "worker-$i"; done); do
    pid="$(live_pid "$name")"
    if [[ -n "$pid" ]]; then
      echo "$name: running, pid $pid"
      any=1
    else
      echo "$name: not running"
    fi
  done
  if ((any)); then
    echo "master: $(cat "$STATE/master-url" 2>/dev/null), web UI http://$HOST:$(ui_port), alive workers: $(alive_workers)"
    return 0
  fi
  return 1
}

cmd_stop() {
  local name pid pids=()
  for name in $(for ((i = WORKERS; i >= 1; i--)); do echo "worker-$i"; done) master; do
    pid="$(live_pid "$name")"
    if [[ -n "$pid" ]]; then
      kill "$pid"
      pids+=("$pid")
      echo "cluster: stopping $name (pid $pid)" >&2
    fi
    rm -f "$STATE/$name.pid"
  done
  local deadline=$((SECONDS + 20))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do
      if ((SECONDS >= deadline)); then
        kill -9 "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.5
    done
  done
  echo "cluster: stopped" >&2
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: ./submit.sh cluster start|status|stop" >&2; exit 2 ;;
esac
