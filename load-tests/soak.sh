#!/usr/bin/env bash
# Soak test: a fixed rate of presigns for a bounded time (10 minutes by default) against the local stack on
# 127.0.0.1, sampling the gateway's memory (RSS, heap) and its answer counts every SOAK_SAMPLE seconds.
#
#   load-tests/soak.sh                      # 10 min at 200 req/s
#   SOAK_SECONDS=120 SOAK_RATE=500 load-tests/soak.sh
#
# Writes load-tests/target/soak-<time>/soak.md (a table over time) and prints it. Fails when any request got
# an unexpected answer (Gatling's assertion) or the gateway answered any 5xx.
set -euo pipefail
source "$(dirname "$0")/lib/stack.sh"
cd "$STACK_ROOT"

seconds=${SOAK_SECONDS:-600}
rate=${SOAK_RATE:-200}
sample=${SOAK_SAMPLE:-10}
users=${SOAK_USERS:-200}
out="load-tests/target/soak-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

stack_build_if_missing
# The soak measures the gateway, not its per-subject limit.
stack_start RATE_LIMIT_PER_SECOND=0
stack_wait_ready 120

metric() { # sum of a metric's samples whose line matches $1
  curl -s "$MANAGEMENT_URL/metrics" | awk -v m="$1" 'index($0, m) == 1 { s += $NF } END { printf "%d", s }'
}
heap() {
  curl -s "$MANAGEMENT_URL/metrics" | awk '/^jvm_memory_used_bytes\{area="heap"/ { s += $NF } END { printf "%.0f", s / 1048576 }'
}

echo "| t (s) | RSS (MiB) | heap used (MiB) | ok | 4xx | 5xx |" > "$out/samples.md"
echo "|---:|---:|---:|---:|---:|---:|" >> "$out/samples.md"
( stack_run mvn -B -ntp -q -f load-tests/pom.xml gatling:test \
    -Dgatling.simulationClass=dev.presign.loadtests.FixedRateSimulation -Dtarget=presign \
    -Drate="$rate" -Dduration="$seconds" -Dwarmup=5 -Dusers="$users" \
    -DbaseUrl="$BASE_URL" -DmanagementUrl="$MANAGEMENT_URL" > "$out/gatling.log" 2>&1 ) &
load=$!
start=$SECONDS
while kill -0 "$load" 2>/dev/null; do
  rss=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$STACK_PGID/status" 2>/dev/null || echo "?")
  ok=$(metric 'presign_requests_total{operation="put",outcome="ok"}')
  bad=$(( $(metric 'presign_requests_total{operation="put",outcome="bad_request"}') \
        + $(metric 'presign_requests_total{operation="put",outcome="unauthenticated"}') \
        + $(metric 'presign_requests_total{operation="put",outcome="denied"}') \
        + $(metric 'presign_requests_total{operation="put",outcome="rate_limited"}') ))
  err=$(metric 'presign_requests_total{operation="put",outcome="error"}')
  echo "| $((SECONDS - start)) | $rss | $(heap) | $ok | $bad | $err |" >> "$out/samples.md"
  sleep "$sample"
done
rc=0
wait "$load" || rc=$?

{
  echo "# Soak run $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "$rate presigns/s for $seconds s from $users subjects (Gatling FixedRateSimulation, open model), against the"
  echo "local stack on one machine ($(nproc) cores, $(java -version 2>&1 | sed -n 1p)). Gatling exit status: $rc."
  echo
  cat "$out/samples.md"
  echo
  echo "Gatling's summary (Global includes the 5 s warm-up at a cold JVM; 'measured' excludes it):"
  echo
  echo '```'
  sed -n '/---- Global Information/,/^=====/p' "$out/gatling.log" | tail -n +1 || true
  grep -E "^measured: " "$out/gatling.log" || true
  echo '```'
} > "$out/soak.md"
cat "$out/soak.md"
errors=$(metric 'presign_requests_total{operation="put",outcome="error"}')
if ((rc != 0 || errors > 0)); then
  echo "!! soak FAILED: Gatling exit $rc, $errors error answers" >&2
  exit 1
fi
