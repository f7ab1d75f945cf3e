#!/usr/bin/env bash
# The quickstart on a local disk, HDFS and S3, back to back in one run (BENCHMARKS.md, section "storage").
#   ./submit.sh bench-storage [SPEC.yaml]
# Starts, on 127.0.0.1, an HDFS (MiniDFSClusterManager from hadoop-client-minicluster, the tests' jar) and
# an S3 server (S3Proxy, copied by the test build to sweep-job/target/s3proxy), sweeps the spec into each
# and into a local directory, compares the runs tables, and stops both servers (by the pids it started).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SPEC="${1:-conf/quickstart.yaml}"
cd "$ROOT"
work="$(mktemp -d /tmp/deq-bench-storage.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "bench-storage: building with -Ps3 (hadoop-aws on the runtime classpath) and the test classpath ..." >&2
${MVN:-mvn} -q -B ${MVN_FLAGS:-} -Ps3 -Dmaven.test.skip=true package >&2
${MVN:-mvn} -q -B ${MVN_FLAGS:-} -pl sweep-job -am generate-test-resources dependency:build-classpath \
  -Dmdep.outputFile="$work/testcp.txt" -Dmdep.includeScope=test >&2

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
nn=$(free_port); s3=$(free_port)
java -cp "$(cat "$work/testcp.txt")" org.apache.hadoop.test.MiniDFSClusterManager -nnport "$nn" -datanodes 1 -format \
  > "$work/hdfs.log" 2>&1 &
pids+=($!)
mkdir -p "$work/s3data/bench"
printf 's3proxy.endpoint=http://127.0.0.1:%s\ns3proxy.authorization=aws-v2-or-v4\ns3proxy.identity=id\ns3proxy.credential=secret\njclouds.provider=filesystem\njclouds.filesystem.basedir=%s\n' \
  "$s3" "$work/s3data" > "$work/s3proxy.properties"
java -Xmx256m -jar sweep-job/target/s3proxy/s3proxy.jar --properties "$work/s3proxy.properties" > "$work/s3proxy.log" 2>&1 &
pids+=($!)
for port in "$nn" "$s3"; do
  for _ in $(seq 1 300); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
done

S3=(--conf spark.hadoop.fs.s3a.endpoint=http://127.0.0.1:$s3 --conf spark.hadoop.fs.s3a.endpoint.region=us-east-1
    --conf spark.hadoop.fs.s3a.path.style.access=true --conf spark.hadoop.fs.s3a.connection.ssl.enabled=false
    --conf spark.hadoop.fs.s3a.access.key=id --conf spark.hadoop.fs.s3a.secret.key=secret
    --conf spark.hadoop.fs.s3a.multiobjectdelete.enable=false)
name="$(sed -n 's/^name: *//p' "$SPEC" | head -1)"
Q="SELECT run_id, status, steps, loss_final, rate, kappa, failure_reason FROM runs ORDER BY run_id"
echo "| output | wall | of which the table rebuild |"
echo "|---|---:|---:|"
for target in local hdfs s3; do
  extra=()
  case $target in
    local) out="$work/local" ;;
    hdfs) out="hdfs://127.0.0.1:$nn/bench" ;;
    s3) out="s3a://bench/sweeps"; extra=("${S3[@]}") ;;
  esac
  t0=$(date +%s.%N)
  ./submit.sh "$SPEC" --out "$out" "${extra[@]}" > "$work/$target.log" 2>&1 || { cat "$work/$target.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  rebuild="$(sed -n 's/.*tables rebuilt from .* in \(.*\) s$/\1/p' "$work/$target.log")"
  printf "| %s | %.1f s | %s s |\n" "$target" "$(echo "$t1 - $t0" | bc)" "$rebuild"
  ./submit.sh query "$out/$name" "$Q" --format csv "${extra[@]}" 2>/dev/null > "$work/$target.csv"
done
for target in hdfs s3; do
  if cmp -s "$work/local.csv" "$work/$target.csv"; then
    echo "$target: runs table identical to local ($(($(wc -l < "$work/local.csv") - 1)) rows)"
  else
    echo "$target: runs table DIFFERS from local" >&2
    exit 1
  fi
done
