#!/usr/bin/env bash
# Benchmark report: writes BENCHMARKS.md at the repository root, with figures measured in this one run, the gateway
# as it is now next to a baseline revision (before/after), on the same machine in the same run.
#
#   load-tests/bench.sh                      # about 45 minutes on a 2-core machine (10 of them the soak, 12 JMH, ~5 Gatling)
#   REPEATS=5 SAT_SECONDS=30 LAT_SECONDS=30 JMH_ARGS="-f 2 -wi 3 -w 10s -i 5 -r 10s" load-tests/bench.sh   # longer
#   SKIP_JMH=1 SOAK_SECONDS=0 load-tests/bench.sh     # HTTP part only
#   BASELINE_REV= load-tests/bench.sh                 # no before/after: the current gateway only
#
# What it does, in order:
#   1. mvn package of the gateway (GATEWAY_DIR, default this repository) and of the baseline (BASELINE_REV, checked
#      out with `git worktree add` into load-tests/target/baseline-<rev>, reused when there); each one's jar copied
#      into the results folder, and load-tests/jmh compiled against each copy (src/after/java against the gateway,
#      src/before/java against the baseline: target/after/, target/before/); the OpenLoad module (load-tests/openload,
#      its tests skipped here: CI runs them), its jar copied into the results folder too;
#   2. starts the local stack (S3Proxy + gateway in dev mode) of each on its own free ports, mints USERS tokens at
#      each stack's /dev/token (each dev issuer makes its own key at start);
#   3. warms each up: WARMUP_SECONDS of presigns, then more in WARMUP_STEP_SECONDS runs until two in a row agree
#      within 10 % (at most WARMUP_MAX_SECONDS in all), then WARMUP_OPERATION_SECONDS of each other operation the
#      gateway serves (download, sign), then 5 s of no-ops. C2 keeps compiling for the first 30-40 s of presign load
#      on this kind of machine, the baseline bac23dc for about a minute: its throughput more than doubles;
#   4. saturation throughput, REPEATS times, alternating current presign, no-op, download and sign (UploadPart),
#      then baseline presign and no-op: wrk (load-tests/bench/wrk.lua), WRK_CONNECTIONS connections, SAT_SECONDS
#      each. The no-op is GET /health/live on the API port (same server and router as presign) where the gateway has
#      it there, else on the management port (bac23dc); the report says which. A gateway without download or sign
#      (the baseline fee8574, the default) is measured without them;
#   5. latency at one fixed rate, LAT_FRACTION of the current gateway's median presign saturation (or LAT_RATE),
#      REPEATS times, alternating the same four (and the baseline's presign at LAT_FRACTION of its own saturation,
#      which it can sustain): OpenLoad (load-tests/openload, open model), LAT_WARMUP_SECONDS unmeasured
#      then LAT_SECONDS measured;
#   6. stops the baseline; Gatling (load-tests/pom.xml, FixedRateSimulation, presign, the same tokens): probes at each
#      of GATLING_RATES in turn, GATLING_WARMUP_SECONDS unmeasured then GATLING_PROBE_SECONDS measured, until one is
#      not sustained (BenchReport --gatling-shortfall: a request not sent or failed, or p99 over GATLING_P99_MS);
#      then GATLING_SECONDS at the highest sustained rate (the lowest when none was), and OpenLoad at that rate for as
#      long; Gatling's HTML reports moved into the results folder (gatling-report/ for that run);
#   7. soak: SOAK_SECONDS of presigns at SOAK_FRACTION of the current presign saturation (or
#      SOAK_RATE) with OpenLoad, sampling the gateway's RSS (/proc/<pid>/status VmRSS) and heap used
#      (jvm_memory_used_bytes{area="heap"} on /metrics) every SOAK_SAMPLE seconds;
#   8. stops the stack, then JMH (load-tests/jmh) with -prof gc: JMH_ROUNDS rounds of HandlerBenchmark (cache on)
#      on the baseline's build and on the current one, and of BatchBenchmark's batch and singles, one JMH run each,
#      the order reversed every other round (before/after and batch/singles interleaved on this noisy machine); then
#      every other benchmark once (HandlerBenchmark with the cache off); then JwtBenchmark again on
#      JDK_COMPARE_JAVA (a newer JDK) with the same arguments;
#   9. java load-tests/bench/BenchReport.java writes the goals, before/after tables, Gatling, soak series and JMH to
#      OUT, keeping the previous OUT's <!-- kept: NAME --> … <!-- /kept: NAME --> blocks verbatim.
#
# Why two generators: wrk (C, one thread, closed loop) is the cheapest way to push a server to saturation when the
# generator shares two cores with it, and a closed loop is what a saturation figure is: as many requests as answers
# allow. Latency needs the opposite, an open model whose arrivals do not wait for answers (a closed loop hides
# stalls: coordinated omission). OpenLoad is one, light enough (two mostly sleeping threads, no allocation per
# request) to run at half of saturation on the same two cores, with microsecond resolution, latency counted from
# each request's intended send time; it reports its own CPU per request and how late it sent.
#
# Env (defaults):
#   REPEATS=3 WARMUP_SECONDS=30 WARMUP_STEP_SECONDS=10 WARMUP_MAX_SECONDS=120 SAT_SECONDS=10 WRK_THREADS=1
#     WRK_CONNECTIONS=32 USERS=2000 (distinct callers, one token each, between two bounds: each caller must stay under
#     the per-caller rate limit of 50/s, so 2000 allow 100k req/s (1000 drew 429s at 49-51k req/s, presign and sign,
#     on a quiet machine); and every token must fit the verified-token cache, JWT_CACHE_SIZE 2048 per API verticle,
#     each of which sees every token: with 3000, wrk's round-robin over the tokens missed that LRU cache every time,
#     every request verified an RS256 signature and presign fell from ~50k to ~30k req/s)
#   LAT_SECONDS=10 LAT_WARMUP_SECONDS=5 (OpenLoad's unmeasured start, at the same rate) LAT_FRACTION=0.5
#     LAT_RATE (a fixed rate in req/s instead of LAT_FRACTION) LAT_MAX_CONNECTIONS=256 (OpenLoad's pool bound)
#     LAT_TICK_US=200 (OpenLoad --tick-us for latency and soak: it sends what is due and reads what arrived every
#     200 µs instead of waking for each request; 0: per request. Waking ~2 threads per request cost it ~10 µs of CPU
#     per request more on this kind of machine and tripled the gateway's p99 through contention; a tick can only
#     add latency, since every request is timed from its intended send time)
#     LAT_BASELINE_OWN=1 (also the baseline's presign at LAT_FRACTION of its own saturation; 0: not)
#   WARMUP_OPERATION_SECONDS=15 (download and sign each, after the presign warm-up)
#   BASELINE_REV=fee8574 (the last commit before the endpoint pipeline, issue 11; bac23dc is the one before the speed
#     work, issue 6; empty: no baseline)
#   GATLING_RATES="250 500 1000 2000 3000 4000 5000" (ascending) GATLING_PROBE_SECONDS=10 GATLING_WARMUP_SECONDS=5
#     GATLING_P99_MS=50 (a probe over it is not sustained: at these rates the gateway answers in a few ms, so the rest
#     is Gatling's backlog) GATLING_SECONDS=20 (0: no Gatling)
#   SOAK_SECONDS=600 (0: no soak) SOAK_FRACTION=0.5 SOAK_RATE (req/s instead of SOAK_FRACTION) SOAK_SAMPLE=30
#   JMH_ARGS="-f 1 -wi 2 -w 10s -i 3 -r 5s" (every JMH run, both sides) JMH_ROUNDS=3 (interleaved rounds; 0: none,
#     every benchmark in the one main run) JMH_INCLUDE (benchmark regexp of the main run) SKIP_JMH=1
#   JDK_COMPARE_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java (JwtBenchmark again on it when it exists; empty: no)
#   OPENLOAD_JAVA_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m" (OpenLoad's JVM)
#   GATEWAY_DIR (the gateway project to build and measure; default this repository) OUT=BENCHMARKS.md
#   GATEWAY_ENV (extra environment for both gateways, e.g. "JWT_CACHE_SIZE=0" to verify every token's signature)
# Needs Java 17, Maven, git, wrk and curl (both installed with apt-get when missing and running as root).
set -euo pipefail
source "$(dirname "$0")/lib/stack.sh"
cd "$STACK_ROOT"

REPEATS=${REPEATS:-3}
WARMUP_SECONDS=${WARMUP_SECONDS:-30}
WARMUP_STEP_SECONDS=${WARMUP_STEP_SECONDS:-10}
WARMUP_MAX_SECONDS=${WARMUP_MAX_SECONDS:-120}
SAT_SECONDS=${SAT_SECONDS:-10}
WRK_THREADS=${WRK_THREADS:-1}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
LAT_SECONDS=${LAT_SECONDS:-10}
LAT_WARMUP_SECONDS=${LAT_WARMUP_SECONDS:-5}
LAT_FRACTION=${LAT_FRACTION:-0.5}
LAT_MAX_CONNECTIONS=${LAT_MAX_CONNECTIONS:-256}
LAT_TICK_US=${LAT_TICK_US:-200}
LAT_BASELINE_OWN=${LAT_BASELINE_OWN:-1}
USERS=${USERS:-2000}
BASELINE_REV=${BASELINE_REV-fee8574}
WARMUP_OPERATION_SECONDS=${WARMUP_OPERATION_SECONDS:-15}
SOAK_SECONDS=${SOAK_SECONDS:-600}
GATLING_RATES=${GATLING_RATES:-250 500 1000 2000 3000 4000 5000}
GATLING_PROBE_SECONDS=${GATLING_PROBE_SECONDS:-10}
GATLING_WARMUP_SECONDS=${GATLING_WARMUP_SECONDS:-5}
GATLING_P99_MS=${GATLING_P99_MS:-50}
GATLING_SECONDS=${GATLING_SECONDS:-20}
SOAK_FRACTION=${SOAK_FRACTION:-0.5}
SOAK_SAMPLE=${SOAK_SAMPLE:-30}
JMH_ARGS=${JMH_ARGS:--f 1 -wi 2 -w 10s -i 3 -r 5s}
JMH_ROUNDS=${JMH_ROUNDS:-3}
JDK_COMPARE_JAVA=${JDK_COMPARE_JAVA-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
OPENLOAD_JAVA_OPTS=${OPENLOAD_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m}
OUT=${OUT:-$STACK_ROOT/BENCHMARKS.md}
RESULTS=$STACK_ROOT/load-tests/target/bench-$(date -u +%Y%m%dT%H%M%SZ)
OPENLOAD_JAR=$RESULTS/openload.jar
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
say() { echo "== [$((SECONDS - started))s] $*"; }

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
if ((${#need[@]})); then
  if [[ $(id -u) != 0 ]]; then echo "install ${need[*]} first (apt-get install -y ${need[*]})" >&2; exit 1; fi
  apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${need[@]}"; }
fi

say "building: gateway, baseline, jmh, OpenLoad (results in $RESULTS)"
# Offline first: a warm ~/.m2 needs no network; a fresh machine falls back to Maven Central.
(cd "$GATEWAY_DIR" && { mvn -B -q -o -DskipTests package || mvn -B -q -ntp -DskipTests package; })
# JMH runs on copies of our own: target/ (and ~/.m2, shared by every checkout) can be rewritten during the run.
cp "$GATEWAY_DIR/target/presign-gateway.jar" "$RESULTS/gateway-after.jar"
# The generator: its module's jar (HdrHistogram inside), tests skipped here (CI runs them), copied like the gateway's.
mvn -B -q -o -DskipTests -f load-tests/openload/pom.xml package || mvn -B -q -ntp -DskipTests -f load-tests/openload/pom.xml package
cp load-tests/openload/target/openload.jar "$OPENLOAD_JAR"

stacks=(cur)
if [[ -n "$BASELINE_REV" ]]; then
  BASELINE_DIR=$STACK_ROOT/load-tests/target/baseline-$BASELINE_REV
  if [[ ! -e "$BASELINE_DIR/.git" ]]; then
    git -C "$STACK_ROOT" worktree prune
    rm -rf "$BASELINE_DIR"
    git -C "$STACK_ROOT" worktree add --detach "$BASELINE_DIR" "$BASELINE_REV" >/dev/null
  fi
  if [[ ! -f "$BASELINE_DIR/target/presign-gateway.jar" || ! -f "$BASELINE_DIR/target/s3proxy.jar" ]]; then
    say "building the baseline $BASELINE_REV in ${BASELINE_DIR#"$STACK_ROOT"/}"
    (cd "$BASELINE_DIR" && { mvn -B -q -o -DskipTests package || mvn -B -q -ntp -DskipTests package; })
  fi
  cp "$BASELINE_DIR/target/presign-gateway.jar" "$RESULTS/gateway-before.jar"
  stacks+=(base)
fi

# One JMH build per side, into load-tests/jmh/target/<side>/, against that side's jar (offline first, as above).
jmh_build() { # side jar
  local args=(-B -q -DskipTests -f load-tests/jmh/pom.xml package dependency:build-classpath -Dbench.side="$1"
    -Dgateway.jar="$2" -Dmdep.outputFile="target/$1/classpath.txt")
  rm -rf "load-tests/jmh/target/$1"
  mvn -o "${args[@]}" || mvn -ntp "${args[@]}"
}
JMH_BEFORE=0
if [[ -z "${SKIP_JMH:-}" ]]; then
  if ! jmh_build after "$RESULTS/gateway-after.jar"; then
    echo "!! load-tests/jmh does not build: JMH skipped, the report says 'not measured'" >&2
    SKIP_JMH=1
  elif [[ -n "$BASELINE_REV" ]]; then
    # src/before/java is written against fee8574's API (PresignHandler); on another baseline it may not compile,
    # and then the before/after JMH comparison is not measured.
    if jmh_build before "$RESULTS/gateway-before.jar" >"$RESULTS/jmh-build-before.txt" 2>&1; then
      JMH_BEFORE=1
    else
      echo "!! load-tests/jmh/src/before/java does not compile against $BASELINE_REV (see" \
        "$RESULTS/jmh-build-before.txt): no JMH before/after" >&2
    fi
  fi
fi
meta jmh_before "$JMH_BEFORE"

meta started "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
meta revision "$(git -C "$GATEWAY_DIR" describe --always --dirty 2>/dev/null || echo unknown)"
meta baseline_rev "${BASELINE_REV:+$(git -C "$STACK_ROOT" rev-parse --short "$BASELINE_REV")}"
meta baseline_subject "${BASELINE_REV:+$(git -C "$STACK_ROOT" log -1 --format=%s "$BASELINE_REV" | cut -c1-100)}"
meta nproc "$(nproc)"
meta cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
meta memory "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
meta kernel "$(uname -sr)"
meta java "$(java -version 2>&1 | sed -n 2p)"
meta wrk "$(wrk -v 2>&1 | sed -n 1p | cut -d' ' -f1-2)"
meta loadavg_start "$(cut -d' ' -f1-3 /proc/loadavg)"
for k in REPEATS WARMUP_SECONDS WARMUP_STEP_SECONDS WARMUP_MAX_SECONDS WARMUP_OPERATION_SECONDS SAT_SECONDS WRK_THREADS WRK_CONNECTIONS LAT_SECONDS LAT_WARMUP_SECONDS LAT_FRACTION \
  LAT_MAX_CONNECTIONS LAT_TICK_US LAT_BASELINE_OWN USERS BASELINE_REV SOAK_SECONDS SOAK_FRACTION SOAK_SAMPLE JMH_ARGS JMH_ROUNDS OPENLOAD_JAVA_OPTS \
  GATLING_RATES GATLING_PROBE_SECONDS GATLING_WARMUP_SECONDS GATLING_P99_MS GATLING_SECONDS; do
  meta "$k" "${!k}"
done
meta gateway_env "${GATEWAY_ENV:-}"
meta gatling_version "$(sed -n 's#.*<gatling.version>\(.*\)</gatling.version>.*#\1#p' load-tests/pom.xml)"
meta http_instances "$(nproc) (HTTP_INSTANCES default: one API verticle per CPU)"
meta stacks "${stacks[*]}"

# Starts one stack (cur: GATEWAY_DIR; base: the baseline worktree), saves it under its name, mints its tokens and
# picks its no-op: the API port's /health/live when this version has it, else the management port's; lists the
# operations it serves besides presign (a path it does not route answers GET with 404, one it does with 405).
start_stack() { # name
  local dir=$GATEWAY_DIR
  [[ $1 == base ]] && dir=$BASELINE_DIR
  # shellcheck disable=SC2086 # GATEWAY_ENV holds NAME=value words
  GATEWAY_DIR=$dir stack_start ${GATEWAY_ENV:-}
  stack_wait_ready 120
  stack_save "$1"
  local noop=api
  if [[ $(stack_http_status "$HTTP_PORT" /health/live) != 200 ]]; then noop=management; fi
  printf -v "${1}_NOOP" '%s' "$noop"
  meta "noop_$1" "$noop"
  local ops=() op
  for op in download sign; do
    if [[ $(stack_http_status "$HTTP_PORT" "/api/s3/$op") != 404 ]]; then ops+=("$op"); fi
  done
  printf -v "${1}_OPS" '%s' "${ops[*]}"
  meta "operations_$1" "${ops[*]}"
  meta "gateway_pid_$1" "$(stack_gateway_pid)"
  for i in $(seq 1 "$USERS"); do
    curl -fsS -X POST "$BASE_URL/dev/token" -H 'Content-Type: application/json' \
      -d "{\"sub\":\"bench-$i\",\"ttlSeconds\":7200}" | sed -E 's/.*"token":"([^"]+)".*/\1/'
    echo
  done >"$RESULTS/tokens-$1.txt"
  say "stack $1 ($dir): $USERS tokens minted, no-op on the $noop port, operations: presign ${ops[*]}"
}

# URL of an endpoint of the current stack, and the extra wrk.lua / OpenLoad arguments.
target_url() { # stack endpoint
  local noop=${1}_NOOP
  if [[ $2 != noop || ${!noop} == api ]]; then echo "$BASE_URL"; else echo "$MANAGEMENT_URL"; fi
}
target_args() { # stack endpoint (presign, download, sign or noop)
  if [[ $2 != noop ]]; then echo "$2 $RESULTS/tokens-$1.txt"; else echo live; fi
}
# The endpoints of a stack's saturation rounds: presign, the no-op, then the other operations it serves.
endpoints_of() { # stack
  local ops=${1}_OPS
  echo presign noop ${!ops}
}

wrk_run() { # stack endpoint seconds output
  stack_use "$1"
  stack_check_alive
  # shellcheck disable=SC2046 # target_args is words
  logged stack_run wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$3"s -s load-tests/bench/wrk.lua "$(target_url "$1" "$2")" \
    -- $(target_args "$1" "$2") >"$4"
}

openload_run() { # stack endpoint rate warmup seconds output [extra OpenLoad options]
  local s=$1 e=$2 rate=$3 warm=$4 secs=$5 out=$6
  shift 6
  stack_use "$s"
  stack_check_alive
  # shellcheck disable=SC2046,SC2086 # option words
  logged stack_run java $OPENLOAD_JAVA_OPTS -jar "$OPENLOAD_JAR" --rate "$rate" --warmup "$warm" \
    --duration "$secs" --max-connections "$LAT_MAX_CONNECTIONS" --tick-us "$LAT_TICK_US" "$@" "$(target_url "$s" "$e")" $(target_args "$s" "$e") \
    >"$out" 2>&1 || echo "   (OpenLoad failed: see $out)"
}

# Gatling's FixedRateSimulation on the current stack's presign, with its tokens; its HTML report moved to <output>-report
# (gatling-report for gatling.txt). A run that fails its assertions is data here, not an error.
gatling_run() { # rate warmup seconds output
  stack_use cur
  stack_check_alive
  logged stack_run mvn -B -ntp -q -f load-tests/pom.xml gatling:test \
    -Dgatling.simulationClass=dev.presign.loadtests.FixedRateSimulation -Dtarget=presign -Drate="$1" \
    -Dwarmup="$2" -Dduration="$3" -DtokenFile="$RESULTS/tokens-cur.txt" -DbaseUrl="$BASE_URL" >"$4" 2>&1 || true
  local report
  report=$(grep -o 'file://.*/index.html' "$4" | tail -n 1 | sed 's#^file://##; s#/index.html$##')
  if [[ -n $report && -d $report ]]; then
    rm -rf "${4%.txt}-report"
    mv "$report" "${4%.txt}-report"
  fi
}

for s in "${stacks[@]}"; do
  start_stack "$s"
done

for s in "${stacks[@]}"; do
  say "warming up $s: ${WARMUP_SECONDS}s of presigns, then ${WARMUP_STEP_SECONDS}s runs until two agree within 10 % (at most ${WARMUP_MAX_SECONDS}s)"
  wrk_run "$s" presign "$WARMUP_SECONDS" "$RESULTS/warmup-$s-presign.txt"
  warmed=$WARMUP_SECONDS n=0 prev=
  while ((warmed + WARMUP_STEP_SECONDS <= WARMUP_MAX_SECONDS)); do
    n=$((n + 1))
    wrk_run "$s" presign "$WARMUP_STEP_SECONDS" "$RESULTS/warmup-$s-presign-$n.txt"
    warmed=$((warmed + WARMUP_STEP_SECONDS))
    now_rps=$(grep -o ' rps=[0-9.]*' "$RESULTS/warmup-$s-presign-$n.txt" | cut -d= -f2)
    echo "   warm-up $s presign +${WARMUP_STEP_SECONDS}s: ${now_rps} req/s"
    if [[ -n $prev ]] && awk -v a="$prev" -v b="$now_rps" 'BEGIN {exit !(b > 0.9 * a && b < 1.1 * a)}'; then break; fi
    prev=$now_rps
  done
  meta "warmup_seconds_$s" "$warmed"
  ops_var=${s}_OPS
  for op in ${!ops_var}; do
    wrk_run "$s" "$op" "$WARMUP_OPERATION_SECONDS" "$RESULTS/warmup-$s-$op.txt"
  done
  wrk_run "$s" noop 5 "$RESULTS/warmup-$s-noop.txt"
  grep -H RESULT "$RESULTS"/warmup-"$s"-*.txt | grep -v 'presign-[0-9]' | sed 's/^.*warmup-/   warm-up /; s/.txt:RESULT/:/'
done

for r in $(seq 1 "$REPEATS"); do
  for s in "${stacks[@]}"; do
    for e in $(endpoints_of "$s"); do
      wrk_run "$s" "$e" "$SAT_SECONDS" "$RESULTS/sat-$s-$e-$r.txt"
      say "saturation $s $e #$r: $(grep -o 'rps=[0-9.]*\|status_errors=[0-9]*' "$RESULTS/sat-$s-$e-$r.txt" | tr '\n' ' ')"
    done
  done
done

median_of() { cat "$@" | grep -o ' rps=[0-9.]*' | cut -d= -f2 | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fraction_of() { awk -v m="$1" -v f="$2" 'BEGIN {r = int(m * f); print (r < 1 ? 1 : r)}'; }
median_rps=$(median_of "$RESULTS"/sat-cur-presign-*.txt)
rate=${LAT_RATE:-$(fraction_of "$median_rps" "$LAT_FRACTION")}
meta lat_rate "$rate"
say "current presign saturation median ${median_rps} req/s; fixed rate for latency: ${rate} req/s"
# The baseline's presign also at LAT_FRACTION of its own saturation: at the current gateway's rate it may not keep up.
own=()
if [[ -n "$BASELINE_REV" && $LAT_BASELINE_OWN != 0 ]]; then
  base_rate=$(fraction_of "$(median_of "$RESULTS"/sat-base-presign-*.txt)" "$LAT_FRACTION")
  meta lat_rate_base_own "$base_rate"
  own=(base:presign-own)
  say "baseline presign also at ${base_rate} req/s, $LAT_FRACTION of its own saturation"
fi

for r in $(seq 1 "$REPEATS"); do
  runs=()
  for s in "${stacks[@]}"; do runs+=("$s:presign" "$s:noop"); done
  for run in "${runs[@]}" "${own[@]}"; do
    s=${run%%:*} e=${run#*:} at=$rate
    [[ $e == presign-own ]] && at=$base_rate
    openload_run "$s" "${e%-own}" "$at" "$LAT_WARMUP_SECONDS" "$LAT_SECONDS" "$RESULTS/lat-$s-$e-$r.txt"
    say "fixed rate $s $e #$r ($at req/s): $(grep RESULT "$RESULTS/lat-$s-$e-$r.txt" \
      | grep -o ' p50_us=[0-9]*\| p99_us=[0-9]*\| non2xx=[0-9]*\| errors=[0-9]*\| timeouts=[0-9]*\| waited=[0-9]*' | tr -d '\n')"
  done
done
meta loadavg_end_http "$(cut -d' ' -f1-3 /proc/loadavg)"
for s in "${stacks[@]}"; do
  stack_use "$s"
  stack_check_alive
done
if [[ -n "$BASELINE_REV" ]]; then
  stack_use base
  stack_stop_one
fi
stack_use cur

if ((GATLING_SECONDS > 0)); then
  # Compiled once, so that no probe includes the compilation.
  mvn -B -q -o -f load-tests/pom.xml test-compile || mvn -B -q -ntp -f load-tests/pom.xml test-compile
  probed=() gatling_rate=
  for r in $GATLING_RATES; do
    gatling_run "$r" "$GATLING_WARMUP_SECONDS" "$GATLING_PROBE_SECONDS" "$RESULTS/gatling-probe-$r.txt"
    probed+=("$r")
    if why=$(java load-tests/bench/BenchReport.java --gatling-shortfall "$RESULTS/gatling-probe-$r.txt" "$r" \
      "$GATLING_PROBE_SECONDS" "$GATLING_P99_MS"); then
      gatling_rate=$r
      say "Gatling at $r req/s: sustained"
    else
      say "Gatling at $r req/s: not sustained ($why)"
      break
    fi
  done
  gatling_rate=${gatling_rate:-${probed[0]}}
  meta gatling_probed "${probed[*]}"
  meta gatling_rate "$gatling_rate"
  say "Gatling ${GATLING_SECONDS}s at $gatling_rate req/s, then OpenLoad at the same rate"
  gatling_run "$gatling_rate" "$GATLING_WARMUP_SECONDS" "$GATLING_SECONDS" "$RESULTS/gatling.txt"
  meta gatling_report "${RESULTS#"$STACK_ROOT"/}/gatling-report/index.html"
  openload_run cur presign "$gatling_rate" "$GATLING_WARMUP_SECONDS" "$GATLING_SECONDS" "$RESULTS/lat-cur-gatling-rate.txt"
  say "Gatling: $(java load-tests/bench/BenchReport.java --gatling-shortfall "$RESULTS/gatling.txt" "$gatling_rate" \
    "$GATLING_SECONDS" "$GATLING_P99_MS" || true); OpenLoad: $(grep RESULT "$RESULTS/lat-cur-gatling-rate.txt" \
    | grep -o ' p50_us=[0-9]*\| p99_us=[0-9]*\| non2xx=[0-9]*\| errors=[0-9]*' | tr -d '\n')"
fi

if ((SOAK_SECONDS > 0)); then
  soak_rate=${SOAK_RATE:-$(awk -v m="$median_rps" -v f="$SOAK_FRACTION" 'BEGIN {r = int(m * f); print (r < 1 ? 1 : r)}')}
  meta soak_rate "$soak_rate"
  gateway_pid=$(stack_gateway_pid)
  say "soak: ${SOAK_SECONDS}s of presigns at $soak_rate req/s, RSS and heap of pid $gateway_pid every ${SOAK_SAMPLE}s"
  sample() { # t
    local rss heap
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$gateway_pid/status" 2>/dev/null || echo -1)
    heap=$(curl -s "$MANAGEMENT_URL/metrics" | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {s += $NF} END {printf "%.0f", s}')
    echo "SAMPLE t_s=$1 rss_kb=${rss:--1} heap_bytes=${heap:--1}" >>"$RESULTS/soak-samples.txt"
  }
  : >"$RESULTS/soak-samples.txt"
  sample 0
  printf '%s\n' "java $OPENLOAD_JAVA_OPTS -jar ${OPENLOAD_JAR#"$STACK_ROOT"/} --rate $soak_rate --warmup 0 --duration $SOAK_SECONDS --interval $SOAK_SAMPLE --max-connections $LAT_MAX_CONNECTIONS --tick-us $LAT_TICK_US $BASE_URL presign ${RESULTS#"$STACK_ROOT"/}/tokens-cur.txt" >>"$RESULTS/commands.txt"
  # shellcheck disable=SC2086 # option words
  setsid java $OPENLOAD_JAVA_OPTS -jar "$OPENLOAD_JAR" --rate "$soak_rate" --warmup 0 --duration "$SOAK_SECONDS" \
    --interval "$SOAK_SAMPLE" --max-connections "$LAT_MAX_CONNECTIONS" --tick-us "$LAT_TICK_US" "$BASE_URL" presign "$RESULTS/tokens-cur.txt" \
    >"$RESULTS/soak-load.txt" 2>&1 &
  STACK_CHILD=$!
  soak_start=$SECONDS
  next=$SOAK_SAMPLE
  while kill -0 "$STACK_CHILD" 2>/dev/null; do
    if ((SECONDS - soak_start >= next)) && ((next <= SOAK_SECONDS)); then
      sample "$next"
      next=$((next + SOAK_SAMPLE))
    fi
    sleep 1
  done
  wait "$STACK_CHILD" || echo "   (OpenLoad failed: see $RESULTS/soak-load.txt)"
  STACK_CHILD=
  if ((next <= SOAK_SECONDS)); then sample "$SOAK_SECONDS"; fi # the load ended just before the last sample was due
  say "soak done: $(grep RESULT "$RESULTS/soak-load.txt" | grep -o ' p99_us=[0-9]*\| non2xx=[0-9]*\| errors=[0-9]*' | tr -d '\n');" \
    "RSS (MiB): $(sed 's/.*rss_kb=\([-0-9]*\).*/\1/' "$RESULTS/soak-samples.txt" | awk '{printf "%s%.0f", (NR > 1 ? " " : ""), $1 / 1024}')"
fi
meta loadavg_end_load "$(cut -d' ' -f1-3 /proc/loadavg)"
stack_check_alive
stack_stop

jmh() { # side java csv output [JMH arguments: benchmarks, -p, -e]
  local side=$1 java=$2 csv=$3 out=$4
  shift 4
  echo "(cd load-tests/jmh && $java -cp \"target/$side/classes:\$(cat target/$side/classpath.txt)\" org.openjdk.jmh.Main $JMH_ARGS -prof gc -rf csv -rff ${csv##*/} $*)" \
    | sed "s#$STACK_ROOT/##g" >>"$RESULTS/commands.txt"
  # shellcheck disable=SC2086 # JMH_ARGS holds words
  (cd load-tests/jmh && "$java" -cp "target/$side/classes:$(cat "target/$side/classpath.txt")" org.openjdk.jmh.Main \
    $JMH_ARGS -prof gc -rf csv -rff "$csv" "$@" >"$out" 2>&1) \
    || { echo "!! JMH failed; see $out" >&2; tail -n 30 "$out" >&2; }
}
jmh_score() { # csv: the first row's score
  sed -n 2p "$1" 2>/dev/null | awk -F, '{gsub(/"/, ""); print $5 " " $7}'
}
if [[ -z "${SKIP_JMH:-}" ]]; then
  main=()
  if ((JMH_ROUNDS > 0)); then
    # Interleaved: each round runs each of these once, in reverse order every other round, so that a slow phase of
    # the machine falls on both sides of each comparison.
    order=(handler-after batch singles)
    ((JMH_BEFORE)) && order=(handler-before "${order[@]}")
    say "JMH: $JMH_ROUNDS rounds of ${order[*]}: $JMH_ARGS -prof gc"
    for r in $(seq 1 "$JMH_ROUNDS"); do
      runs=("${order[@]}")
      if ((r % 2 == 0)); then
        runs=()
        for ((i = ${#order[@]} - 1; i >= 0; i--)); do runs+=("${order[i]}"); done
      fi
      for run in "${runs[@]}"; do
        f=$RESULTS/jmh-r$r-$run
        case $run in
          handler-before) jmh before java "$f.csv" "$f.txt" -p jwtCache=on HandlerBenchmark ;;
          handler-after) jmh after java "$f.csv" "$f.txt" -p jwtCache=on HandlerBenchmark ;;
          batch) jmh after java "$f.csv" "$f.txt" BatchBenchmark.batch ;;
          singles) jmh after java "$f.csv" "$f.txt" BatchBenchmark.singles ;;
        esac
        say "JMH round $r $run: $(jmh_score "$f.csv")"
      done
    done
    # The rounds measured these: the main run has HandlerBenchmark with the cache off only, and no BatchBenchmark.
    main=(-p jwtCache=off -e BatchBenchmark)
  fi
  say "JMH: $JMH_ARGS -prof gc ${main[*]} ${JMH_INCLUDE:-}"
  # shellcheck disable=SC2086 # JMH_INCLUDE may be empty
  jmh after java "$RESULTS/jmh.csv" "$RESULTS/jmh.txt" "${main[@]}" ${JMH_INCLUDE:-}
  if [[ -n "$JDK_COMPARE_JAVA" && -x "$JDK_COMPARE_JAVA" ]]; then
    meta java_compare "$("$JDK_COMPARE_JAVA" -version 2>&1 | sed -n 2p)"
    say "JMH JwtBenchmark on $("$JDK_COMPARE_JAVA" -version 2>&1 | sed -n 2p)"
    jmh after "$JDK_COMPARE_JAVA" "$RESULTS/jmh-jdk25.csv" "$RESULTS/jmh-jdk25.txt" JwtBenchmark
  fi
fi
meta loadavg_end "$(cut -d' ' -f1-3 /proc/loadavg)"
meta elapsed_seconds "$((SECONDS - started))"

java load-tests/bench/BenchReport.java "$RESULTS" "$OUT" >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "wrote $OUT (raw results in $RESULTS)"
