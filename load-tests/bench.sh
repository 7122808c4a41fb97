#!/usr/bin/env bash
# Benchmark report: writes BENCHMARKS.md at the repository root, with figures measured in this one run.
#
#   load-tests/bench.sh                      # about 10 minutes on an idle 2-core machine, longer on a busy one
#   REPEATS=5 SAT_SECONDS=30 LAT_SECONDS=30 JMH_ARGS="-f 2 -wi 3 -w 10s -i 5 -r 10s" load-tests/bench.sh   # longer
#   SKIP_JMH=1 load-tests/bench.sh           # HTTP part only
#
# What it does, in order:
#   1. mvn install of the gateway (GATEWAY_DIR, default this repository), compiles load-tests/ and load-tests/jmh/;
#   2. starts the local stack (S3Proxy + gateway in dev mode) on free ports, mints USERS tokens at /dev/token;
#   3. warms up (WARMUP_SECONDS of presigns, then trivial requests);
#   4. saturation throughput, REPEATS times, alternating POST /api/s3/presign and GET /health/live (the gateway's
#      own trivial endpoint, management port; and the API port's no-op /health/live where the gateway has one):
#      wrk, WRK_CONNECTIONS connections, SAT_SECONDS each;
#   5. latency at a fixed rate, REPEATS times, alternating the two endpoints at the SAME rate, LAT_FRACTION of the
#      median presign saturation: Gatling FixedRateSimulation (open model), LAT_SECONDS each after its warm-up;
#   6. stops the stack, then JMH (load-tests/jmh) with -prof gc;
#   7. java load-tests/bench/BenchReport.java writes the medians, ratios and JMH table to OUT.
#
# Why two generators: wrk (C, one thread) is the cheapest way to push a server to saturation when the generator
# shares two cores with it, and a closed loop is what a saturation figure is: as many requests as answers allow.
# Latency needs the opposite, an open model whose arrivals do not wait for answers (a closed loop hides stalls:
# coordinated omission); Gatling's constantUsersPerSec is one, but its timings have 1 ms resolution. Gatling spends
# far more CPU per request than wrk on the same two cores, so the fixed rate is a quarter of wrk's saturation: at
# half of it (tried here) the gateway was already starved and the latencies were queueing.
#
# Env (defaults): REPEATS=3 WARMUP_SECONDS=15 SAT_SECONDS=10 WRK_THREADS=1 WRK_CONNECTIONS=32 LAT_SECONDS=10
#   LAT_WARMUP_SECONDS=5 (Gatling's own warm-up before each latency run, not measured) LAT_FRACTION=0.25
#   LAT_RATE (a fixed rate in req/s instead of LAT_FRACTION) USERS=500 (distinct callers, each far below the
#   per-caller rate limit) JMH_ARGS="-f 1 -wi 2 -w 10s -i 3 -r 5s" JMH_INCLUDE (benchmark regexp) SKIP_JMH=1
#   GATEWAY_DIR (the gateway project to build and measure; default this repository) OUT=BENCHMARKS.md
#   GATEWAY_ENV (extra environment for the gateway, e.g. "JWT_CACHE_SIZE=0" to verify every token's signature)
# Needs Java 17, Maven, wrk and curl (both installed with apt-get when missing and running as root).
set -euo pipefail
source "$(dirname "$0")/lib/stack.sh"
cd "$STACK_ROOT"

REPEATS=${REPEATS:-3}
WARMUP_SECONDS=${WARMUP_SECONDS:-15}
SAT_SECONDS=${SAT_SECONDS:-10}
WRK_THREADS=${WRK_THREADS:-1}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
LAT_SECONDS=${LAT_SECONDS:-10}
LAT_WARMUP_SECONDS=${LAT_WARMUP_SECONDS:-5}
LAT_FRACTION=${LAT_FRACTION:-0.25}
USERS=${USERS:-500}
JMH_ARGS=${JMH_ARGS:--f 1 -wi 2 -w 10s -i 3 -r 5s}
OUT=${OUT:-$STACK_ROOT/BENCHMARKS.md}
RESULTS=$STACK_ROOT/load-tests/target/bench-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RESULTS"
started=$SECONDS

# Every command that produces a figure goes to commands.txt, which the report quotes.
logged() {
  local shown=("$@")
  [[ ${shown[0]} == stack_run ]] && shown=("${shown[@]:1}")
  printf '%s\n' "${shown[*]}" | sed "s#$STACK_ROOT/##g" >>"$RESULTS/commands.txt"
  "$@"
}
meta() { printf '%s=%s\n' "$1" "$2" >>"$RESULTS/meta.properties"; }

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
if ((${#need[@]})); then
  if [[ $(id -u) != 0 ]]; then echo "install ${need[*]} first (apt-get install -y ${need[*]})" >&2; exit 1; fi
  apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${need[@]}"; }
fi

echo "== [$((SECONDS - started))s] building: gateway install, load-tests, jmh (results in $RESULTS)"
# Offline first: a warm ~/.m2 needs no network; a fresh machine falls back to Maven Central.
(cd "$GATEWAY_DIR" && { mvn -B -q -o -DskipTests install || mvn -B -q -ntp -DskipTests install; })
mvn -B -q -ntp -f load-tests/pom.xml test-compile
mvn -B -q -ntp -f load-tests/jmh/pom.xml package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt

meta started "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
meta revision "$(git -C "$GATEWAY_DIR" describe --always --dirty 2>/dev/null || echo unknown)"
meta nproc "$(nproc)"
meta cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
meta memory "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
meta kernel "$(uname -sr)"
meta java "$(java -version 2>&1 | sed -n 2p)"
meta wrk "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
meta loadavg_start "$(cut -d' ' -f1-3 /proc/loadavg)"
for k in REPEATS WARMUP_SECONDS SAT_SECONDS WRK_THREADS WRK_CONNECTIONS LAT_SECONDS LAT_WARMUP_SECONDS LAT_FRACTION USERS \
  JMH_ARGS; do
  meta "$k" "${!k}"
done

# shellcheck disable=SC2086 # GATEWAY_ENV holds NAME=value words
stack_start ${GATEWAY_ENV:-}
stack_wait_ready 120
meta gateway_env "${GATEWAY_ENV:-}"
# The API port's own no-op (same server, same router as presign), when this version of the gateway has one.
trivial=(live)
if [[ $(stack_http_status "$HTTP_PORT" /health/live) == 200 ]]; then trivial+=(live-api); fi
meta trivial "${trivial[*]}"
meta http_instances "$(nproc) (HTTP_INSTANCES default: one API verticle per CPU)"
for i in $(seq 1 "$USERS"); do
  curl -fsS -X POST "$BASE_URL/dev/token" -H 'Content-Type: application/json' \
    -d "{\"sub\":\"bench-$i\",\"ttlSeconds\":7200}" | sed -E 's/.*"token":"([^"]+)".*/\1/'
  echo
done >"$RESULTS/tokens.txt"
echo "== [$((SECONDS - started))s] $USERS tokens minted; warming up for ${WARMUP_SECONDS}s + 5s"

wrk_run() { # endpoint seconds output
  stack_check_alive
  local url=$BASE_URL args=(presign "$RESULTS/tokens.txt")
  if [[ $1 == live ]]; then url=$MANAGEMENT_URL; args=(live); fi
  if [[ $1 == live-api ]]; then args=(live); fi
  logged stack_run wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$2"s -s load-tests/bench/wrk.lua "$url" -- "${args[@]}" >"$3"
}
wrk_run presign "$WARMUP_SECONDS" "$RESULTS/warmup-presign.txt"
wrk_run live 5 "$RESULTS/warmup-live.txt"
grep RESULT "$RESULTS/warmup-presign.txt" "$RESULTS/warmup-live.txt" | sed 's/^.*RESULT/   warm-up:/'

for r in $(seq 1 "$REPEATS"); do
  for endpoint in presign "${trivial[@]}"; do
    wrk_run "$endpoint" "$SAT_SECONDS" "$RESULTS/sat-$endpoint-$r.txt"
    echo "== [$((SECONDS - started))s] saturation $endpoint #$r: $(grep -o 'rps=[0-9.]*\|status_errors=[0-9]*' "$RESULTS/sat-$endpoint-$r.txt" | tr '\n' ' ')"
  done
done

median_rps=$(grep -ho 'rps=[0-9.]*' "$RESULTS"/sat-presign-*.txt | cut -d= -f2 | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
rate=${LAT_RATE:-$(awk -v m="$median_rps" -v f="$LAT_FRACTION" 'BEGIN {r = int(m * f); print (r < 1 ? 1 : r)}')}
meta lat_rate "$rate"
echo "== [$((SECONDS - started))s] presign saturation median ${median_rps} req/s; fixed rate for latency: ${rate} req/s"

for r in $(seq 1 "$REPEATS"); do
  for endpoint in presign live; do
    stack_check_alive
    logged stack_run mvn -B -o -ntp -f load-tests/pom.xml gatling:test -Dgatling.simulationClass=dev.presign.loadtests.FixedRateSimulation \
      -Dtarget="$endpoint" -Drate="$rate" -Dduration="$LAT_SECONDS" -Dwarmup="$LAT_WARMUP_SECONDS" -DtokenFile="$RESULTS/tokens.txt" \
      -DbaseUrl="$BASE_URL" -DmanagementUrl="$MANAGEMENT_URL" >"$RESULTS/lat-$endpoint-$r.txt" 2>&1 \
      || echo "   (Gatling reported failed requests or assertions: see lat-$endpoint-$r.txt)"
    echo "== [$((SECONDS - started))s] fixed rate $endpoint #$r: p99 $(sed -n 's/^measured: 99th percentile.*(actual : \([0-9.]*\)).*/\1/p' "$RESULTS/lat-$endpoint-$r.txt") ms"
  done
done
meta loadavg_end_http "$(cut -d' ' -f1-3 /proc/loadavg)"
stack_check_alive
stack_stop

if [[ -z "${SKIP_JMH:-}" ]]; then
  echo "== [$((SECONDS - started))s] JMH: $JMH_ARGS -prof gc"
  echo "(cd load-tests/jmh && java -cp \"target/classes:\$(cat target/classpath.txt)\" org.openjdk.jmh.Main $JMH_ARGS -prof gc -rf csv -rff jmh.csv ${JMH_INCLUDE:-})" >>"$RESULTS/commands.txt"
  (cd load-tests/jmh && java -cp "target/classes:$(cat target/classpath.txt)" org.openjdk.jmh.Main \
    $JMH_ARGS -prof gc -rf csv -rff "$RESULTS/jmh.csv" ${JMH_INCLUDE:-} >"$RESULTS/jmh.txt" 2>&1) \
    || { echo "!! JMH failed; see $RESULTS/jmh.txt" >&2; tail -n 30 "$RESULTS/jmh.txt" >&2; }
fi
meta loadavg_end "$(cut -d' ' -f1-3 /proc/loadavg)"
meta elapsed_seconds "$((SECONDS - started))"

java load-tests/bench/BenchReport.java "$RESULTS" >"$OUT"
echo "== [$((SECONDS - started))s] wrote $OUT (raw results in $RESULTS)"
