#!/usr/bin/env bash
# The JVM of the image, measured here: the packaged jar started with the image's flags (src/main/docker/jvm.options,
# the Dockerfile's ENTRYPOINT reads the same file) and -XX:MaxRAM set to the pod's memory limit, which is what the
# JVM would read from the cgroup (heap and direct-memory sizes follow from it; -XX:ActiveProcessorCount=2 is in the
# options already). It measures, on Temurin 25 as the image runs it:
#   1. start-up, four ways: without and with the AOT cache (a training run, `... -XX:AOTCacheOutput=… -jar
#      presign-gateway.jar train`, as the image build does, then -XX:AOTCache), each without the readiness warm-up
#      (WARM_UP_REQUESTS=0) and with it (the image's default). STARTS production-mode starts of each (HMAC key, static
#      credentials), interleaved so that the shared machine's noise falls on all four alike, each timed from launch to
#      the first 200 on /health/ready and followed at once by COLD_SECONDS of presigns at RATE (OpenLoad, open
#      model): the cold JVM's p99, which is what a pod added by a scale-out serves first;
#   2. a warm p99 under the same flags: after WARM_WARMUP_SECONDS at RATE, WARM_SECONDS measured;
#   3. the live set (heap after a full GC, via jcmd) and RSS after that load, which the heap size is chosen from.
# Then writes its block into BENCHMARKS.md between `<!-- kept: container -->` and `<!-- /kept: container -->`
# (appended at the end when the markers are absent), which bench.sh's report keeps. About 8 minutes at STARTS=5.
#   load-tests/container-bench.sh            # JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java by default
# Settings: JAVA, MEMORY_LIMIT (512m, the prod pod's), STARTS (5), RATE (1000), COLD_SECONDS (10),
# WARM_WARMUP_SECONDS (10), WARM_SECONDS (20), WARM_UP_REQUESTS (unset: the gateway's default, for the starts with a
# warm-up), OUT (target/container-bench), REPORT (BENCHMARKS.md: the file the block is written into), MODES (the kinds
# of start, default "plain-cold aot-cold plain-warm aot-warm"; aot-warmN / plain-warmN: a warm-up of N requests; the
# block's table has rows for the four default kinds only, the others are in the log lines).
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
MEMORY_LIMIT=${MEMORY_LIMIT:-512m}
STARTS=${STARTS:-5}
RATE=${RATE:-1000}
COLD_SECONDS=${COLD_SECONDS:-10}
WARM_WARMUP_SECONDS=${WARM_WARMUP_SECONDS:-10}
WARM_SECONDS=${WARM_SECONDS:-20}
OUT=${OUT:-target/container-bench}
OPTIONS=src/main/docker/jvm.options
JAR=target/presign-gateway.jar
SECRET=container-bench-hmac-secret-0123456789abcdef

say() { printf '[container-bench] %s\n' "$*" >&2; }
[[ -x $JAVA ]] || { say "no JVM at $JAVA (set JAVA)"; exit 1; }
[[ -f $JAR ]] || { say "building $JAR"; mvn -B -ntp -q -DskipTests package; }
rm -rf "$OUT" && mkdir -p "$OUT"
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)  # the machine is shared: the report says how busy it was
JCMD=$(dirname "$JAVA")/jcmd
# The image's flags, then the pod's memory limit as the JVM would read it from the cgroup.
read -r -a FLAGS < <(sed -e 's/#.*//' "$OPTIONS" | tr '\n' ' ') || true  # no final newline: read says 1
FLAGS+=("-XX:MaxRAM=$MEMORY_LIMIT")
# The cache is only valid for the jar it was trained with, at the same path.
cp "$JAR" "$OUT/app.jar"
mvn -B -q -o -DskipTests -f load-tests/openload/pom.xml package || mvn -B -q -ntp -DskipTests -f load-tests/openload/pom.xml package
cp load-tests/openload/target/openload.jar "$OUT/openload.jar"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# HS256 tokens for the gateway's JWT_HMAC_SECRET: 200 subjects, as many clients would send.
python3 - "$SECRET" >"$OUT/tokens.txt" <<'PY'
import base64, hashlib, hmac, json, sys, time
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
now = int(time.time())
for i in range(200):
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"iss": "container-bench", "aud": "presign-gateway", "sub": "user-%d" % i,
                           "iat": now, "exp": now + 7200}).encode())
    sig = b64(hmac.new(sys.argv[1].encode(), (head + "." + body).encode(), hashlib.sha256).digest())
    print(head + "." + body + "." + sig)
PY

say "training the AOT cache ($JAVA, ${FLAGS[*]})"
t0=$(date +%s%N)
"$JAVA" "${FLAGS[@]}" "-XX:AOTCacheOutput=$OUT/app.aot" -jar "$OUT/app.jar" train >"$OUT/train.out" 2>"$OUT/train.err"
train_s=$(( ($(date +%s%N) - t0) / 1000000 ))
cache_mb=$(( $(stat -c %s "$OUT/app.aot") / 1048576 ))
say "trained in $train_s ms: $(grep 'training:' "$OUT/train.err" | cut -c1-120); cache $cache_mb MiB"

PID=
stop() { if [[ -n $PID ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=; fi; }
trap stop EXIT

# start NAME WARM_UP_REQUESTS [extra JVM flags]: launches the gateway; sets API, MGMT, PID and READY_MS (launch to the
# first ready 200).
start() {
  local name=$1 warm=$2; shift 2
  API=$(free_port); MGMT=$(free_port)
  local t0; t0=$(date +%s%N)
  env JWT_HMAC_SECRET=$SECRET JWT_ISSUER=container-bench JWT_AUDIENCE=presign-gateway S3_BUCKET=bench \
    AWS_REGION=eu-west-1 AWS_ACCESS_KEY_ID=AKIDCONTAINERBENCH AWS_SECRET_ACCESS_KEY=container-bench-secret \
    HTTP_HOST=127.0.0.1 HTTP_PORT=$API MANAGEMENT_PORT=$MGMT SHUTDOWN_DRAIN_SECONDS=0 RATE_LIMIT_PER_SECOND=0 \
    EDGE_RATE_LIMIT_PER_SECOND=0 ${warm:+WARM_UP_REQUESTS=$warm} \
    "$JAVA" "${FLAGS[@]}" "$@" -jar "$OUT/app.jar" >"$OUT/$name.out" 2>"$OUT/$name.err" &
  PID=$!
  until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$MGMT/health/ready") == 200 ]]; do
    kill -0 "$PID" 2>/dev/null || { say "$name died: $(tail -n 3 "$OUT/$name.err")"; exit 1; }
    sleep 0.04  # about 20 polls a second: each curl is a process, which competes with the start it waits for
  done
  READY_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

# read_steps NAME: from the gateway's log (read after the load, when its batched log lines have surely been written), sets
# WARM_MS (what its warm-up took; 0 without one) and STEPS.
read_steps() {
  local name=$1
  WARM_MS=$(grep -o 'readiness warm-up: [0-9]* requests in [0-9]* ms' "$OUT/$name.out" | grep -o '[0-9]* ms' | cut -d' ' -f1 || true)
  WARM_MS=${WARM_MS:-0}
  # The gateway's "ready … after the JVM started (step uptime, …)" line: JVM uptime at the end of each step, in ms.
  STEPS=""
  local step v
  for step in "gateway start" "management port" "keys, credentials and signer" "API port" "ready"; do
    v=$(grep -o "\"message\":\"ready [^\"]*" "$OUT/$name.out" | grep -o "$step [0-9.]* s" | head -n 1 | grep -o '[0-9.]* s' | cut -d' ' -f1 || true)
    STEPS+="$(awk -v s="${v:-0}" 'BEGIN { printf "%d", s * 1000 }'),"
  done
}

# load OUTPUT WARMUP SECONDS: presigns at RATE; prints the RESULT line's ok, non2xx, errors, p50, p99 and max (µs).
load() {
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m -jar "$OUT/openload.jar" --rate "$RATE" \
    --warmup "$2" --duration "$3" --tick-us 200 "http://127.0.0.1:$API" presign "$OUT/tokens.txt" >"$1" 2>&1
  local line; line=$(grep '^RESULT' "$1")
  local f; for f in ok non2xx errors p50_us p99_us max_us; do grep -o " $f=[0-9]*" <<<"$line" | cut -d= -f2; done | tr '\n' ' '
  echo
}

ms() { awk -v us="$1" 'BEGIN { printf (us >= 10000 ? "%.0f ms" : "%.1f ms"), us / 1000 }'; }

# Modes: cache (plain | aot) and readiness warm-up (cold: WARM_UP_REQUESTS=0 | warm: the default), interleaved.
# MODES="aot-cold aot-warm300 …" runs other kinds: -warmN is a warm-up of N requests (for choosing the default).
read -r -a MODES <<<"${MODES:-plain-cold aot-cold plain-warm aot-warm}"
declare -A ready cold warmup steps
for i in $(seq 1 "$STARTS"); do
  for mode in "${MODES[@]}"; do
    extra=(); [[ $mode == aot-* ]] && extra=("-XX:AOTCache=$OUT/app.aot")
    warm=0; [[ $mode == *-warm ]] && warm=${WARM_UP_REQUESTS:-}; [[ $mode =~ -warm([0-9]+)$ ]] && warm=${BASH_REMATCH[1]}
    start "$mode-$i" "$warm" "${extra[@]}"
    read -r ok non2xx errors p50 p99 max < <(load "$OUT/cold-$mode-$i.txt" 0 "$COLD_SECONDS")
    stop
    read_steps "$mode-$i"
    if [[ -s $OUT/$mode-$i.err ]]; then say "$mode-$i wrote to stderr: $(head -n 2 "$OUT/$mode-$i.err")"; fi
    ready[$mode]+="$READY_MS "; warmup[$mode]+="$WARM_MS "; cold[$mode]+="$p99/$max/$((non2xx + errors)) "
    steps[$mode]+="$STEPS "
    say "$mode start $i: ready after $READY_MS ms (warm-up $WARM_MS ms); first ${COLD_SECONDS} s at $RATE/s: p50 $(ms "$p50"), p99 $(ms "$p99"), max $(ms "$max"), $ok ok, $non2xx non-2xx, $errors errors"
  done
done

say "warm run with the cache: ${WARM_WARMUP_SECONDS} s unmeasured, then ${WARM_SECONDS} s at $RATE/s"
start warm "" "-XX:AOTCache=$OUT/app.aot"
read -r wok wnon2xx werrors wp50 wp99 wmax < <(load "$OUT/warm.txt" "$WARM_WARMUP_SECONDS" "$WARM_SECONDS")
"$JCMD" "$PID" GC.run >/dev/null
sleep 1
# Pool ids contain spaces ("G1 Old Gen"): the value is the last field.
heap_mb=$(curl -s "http://127.0.0.1:$MGMT/metrics" | awk '/^jvm_memory_used_bytes\{area="heap"/ { s += $NF } END { printf "%.0f", s / 1048576 }')
heap_max_mb=$(curl -s "http://127.0.0.1:$MGMT/metrics" | awk '/^jvm_memory_max_bytes\{area="heap"/ { if ($NF > 0) s += $NF } END { printf "%.0f", s / 1048576 }')
rss_mb=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status")
gc=$(curl -s "http://127.0.0.1:$MGMT/metrics" | grep -o 'gc="[^"]*"' | sort -u | tr '\n' ' ')
stop
say "warm: p50 $(ms "$wp50"), p99 $(ms "$wp99"), max $(ms "$wmax"), $wok ok, $wnon2xx non-2xx, $werrors errors; live set ${heap_mb} MiB of ${heap_max_mb} MiB heap, RSS ${rss_mb} MiB"

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
row() { # mode label
  local r=${ready[$1]} c=${cold[$1]} p99s=() maxes="" bad=0 x
  for x in $c; do IFS=/ read -r p m b <<<"$x"; p99s+=("$p"); maxes+="$(ms "$m"), "; bad=$((bad + b)); done
  local each=""; for x in "${p99s[@]}"; do each+="$(ms "$x"), "; done
  printf '| %s | %s ms (%s) | %s ms | **%s** (%s) | %s | %s |\n' "$2" "$(median "$r")" "$(tr ' ' ',' <<<"${r% }" | sed 's/,/, /g')" \
    "$(median "${warmup[$1]}")" "$(ms "$(median "${p99s[*]}")")" "${each%, }" "${maxes%, }" "$bad"
}
# steprow mode label: the median JVM uptime (ms) at the end of each start step, from the gateway's ready line.
steprow() {
  local col out="" x
  for col in 1 2 3 4 5; do
    out+=" $(median "$(for x in ${steps[$1]}; do cut -d, -f"$col" <<<"$x"; done | tr '\n' ' ')") |"
  done
  printf '| %s |%s\n' "$2" "$out"
}
jv=$("$JAVA" -version 2>&1 | sed -n 2p)
default_of() { grep -o "\"$1\", [0-9_]*" src/main/java/dev/presign/gateway/config/GatewayConfig.java | grep -o '[0-9_]*$' | tr -d _; }
WARM_DESC="the gateway's default (\`WARM_UP_REQUESTS=$(default_of WARM_UP_REQUESTS)\`, \`WARM_UP_MAX_MS=$(default_of WARM_UP_MAX_MS)\`)"
[[ -n ${WARM_UP_REQUESTS:-} ]] && WARM_DESC="\`WARM_UP_REQUESTS=$WARM_UP_REQUESTS\`"
block=$(cat <<MD
<!-- kept: container -->
## The image's JVM (container settings)

Written by \`load-tests/container-bench.sh\` ($(date -u +%Y-%m-%d), $(nproc) shared cores with a load average of
$LOAD_AT_START at the start from other jobs, $jv): the packaged jar with
the image's flags (\`src/main/docker/jvm.options\`: G1, \`-XX:ActiveProcessorCount=2\`, heap 50 % of memory, direct
memory 64 MiB) and \`-XX:MaxRAM=$MEMORY_LIMIT\` for the pod's memory limit; production mode (HMAC key, static
credentials), $STARTS starts of each kind, interleaved. Ready = launch to the first 200 on \`/health/ready\` (polled
about every 50 ms); then at once $COLD_SECONDS s of presigns at $RATE req/s (OpenLoad, open model, latency from the intended
send time; its own JVM starts it about a second after ready, about what a readiness probe's period adds in a cluster).
The AOT cache comes from the image's own training run (\`… -XX:AOTCacheOutput=… -jar presign-gateway.jar train\`:
$train_s ms, a $cache_mb MiB cache). The readiness warm-up is $WARM_DESC (README, Start and readiness);
"no warm-up" is \`WARM_UP_REQUESTS=0\`.

| start | ready, median (each start) | of which warm-up, median | first ${COLD_SECONDS} s: p99, median (each start) | max (each start) | non-2xx or errors |
|---|---|---|---|---|---|
$(row plain-cold "no AOT cache, no warm-up")
$(row aot-cold "AOT cache, no warm-up")
$(row plain-warm "no AOT cache, warm-up")
$(row aot-warm "AOT cache and warm-up (the image)")

Where a start's time goes: the JVM's uptime (ms, median) when each step ended, from the gateway's own
\`ready … after the JVM started (…)\` log line. "Gateway start" includes the JVM's own start, logging, the
configuration, the metrics registry and Vert.x; the AWS chain is asked meanwhile on a thread of its own; keys,
credentials and the URL signer load beside the management port; "ready" includes the warm-up where there is one.

| start | gateway start | management port | keys, credentials, signer | API port | ready |
|---|---|---|---|---|---|
$(steprow plain-cold "no AOT cache, no warm-up")
$(steprow aot-cold "AOT cache, no warm-up")
$(steprow plain-warm "no AOT cache, warm-up")
$(steprow aot-warm "AOT cache and warm-up (the image)")

Warm, with the cache and the same flags: after ${WARM_WARMUP_SECONDS} s unmeasured, ${WARM_SECONDS} s at $RATE req/s: p50 $(ms "$wp50"),
**p99 $(ms "$wp99")**, max $(ms "$wmax"), $((wnon2xx + werrors)) non-2xx or errors of $((wok + wnon2xx)). After that load and a
full GC the heap held ${heap_mb} MiB (the live set) of its ${heap_max_mb} MiB maximum, RSS ${rss_mb} MiB of the
$MEMORY_LIMIT limit; collector: ${gc% }. Reproduce: \`load-tests/container-bench.sh\` (about 8 minutes).
<!-- /kept: container -->
MD
)
printf '%s\n' "$block" >"$OUT/block.md"
touch "${REPORT:=BENCHMARKS.md}"
python3 - "$OUT/block.md" "$REPORT" <<'PY'
import re, sys
block = open(sys.argv[1]).read().rstrip("\n")
doc = open(sys.argv[2]).read()
pattern = re.compile(r"<!-- kept: container -->.*?<!-- /kept: container -->", re.S)
doc = pattern.sub(lambda m: block, doc) if pattern.search(doc) else doc.rstrip("\n") + "\n\n" + block + "\n"
open(sys.argv[2], "w").write(doc)
PY
say "$REPORT: container block written ($OUT/block.md)"
