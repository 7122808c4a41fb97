#!/usr/bin/env bash
# The upload lifecycle's speed (issue 12), on the local stack: S3Proxy in memory beside the gateway, on the same
# CPUs. Per-caller rate limit off (RATE_LIMIT_PER_SECOND=0): the figures are the calls' own cost.
#   1. part-URL signing: REPEATS rounds, each SAT_SECONDS of wrk (WRK_CONNECTIONS connections) on POST
#      /api/s3/presign (one URL a call), then on POST /api/s3/multipart/sign with PARTS part numbers a call (one S3
#      check of the upload a call, then PARTS URLs); per-URL cost = 1 / (req/s x URLs a call); the goal is a part
#      URL at most 1.2 x a single presign's cost.
#   2. the calls backed by S3 (the AWS SDK's async client against S3Proxy), LAT_CONNECTIONS connections for
#      LAT_SECONDS each: confirm (HeadObject), list parts (ListMultipartUploads + ListParts), Companion's sign part
#      (ListMultipartUploads + one URL): req/s, p50, p99. Their time is mostly S3's (here S3Proxy's, on the same CPUs).
#   3. Gatling's MultipartSimulation (PARTS URLs a call) at GATLING_RATE calls/s for GATLING_SECONDS: its p50, p95,
#      p99 and failures; its HTML report is kept in the output directory.
# Then writes its block into BENCHMARKS.md between `<!-- kept: lifecycle -->` and `<!-- /kept: lifecycle -->`
# (appended when absent), which bench.sh's report keeps. About 4 minutes with the defaults.
#   load-tests/lifecycle-bench.sh
# REPORT_ONLY=1 writes the block again from the results already in OUT. Settings: REPEATS (3), SAT_SECONDS (8), WRK_CONNECTIONS (32), PARTS (100), USERS (100), LAT_CONNECTIONS (4),
# LAT_SECONDS (8), GATLING_RATE (100), GATLING_SECONDS (20), OUT (load-tests/target/lifecycle-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS=${REPEATS:-3}
SAT_SECONDS=${SAT_SECONDS:-8}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
PARTS=${PARTS:-100}
USERS=${USERS:-100}
LAT_CONNECTIONS=${LAT_CONNECTIONS:-4}
LAT_SECONDS=${LAT_SECONDS:-8}
GATLING_RATE=${GATLING_RATE:-100}
GATLING_SECONDS=${GATLING_SECONDS:-20}
OUT=${OUT:-load-tests/target/lifecycle-bench}
# shellcheck source=lib/stack.sh
source load-tests/lib/stack.sh
say() { printf '[lifecycle-bench] %s\n' "$*" >&2; }
command -v wrk >/dev/null || { say "needs wrk (apt-get install wrk)"; exit 1; }
command -v curl >/dev/null || { say "needs curl"; exit 1; }
if [[ ${REPORT_ONLY:-0} == 1 ]]; then  # the block again from the results in OUT (after a change to this report)
  read -r LOAD_AT_START LOAD_AT_END REV <"$OUT/run.txt"
else
rm -rf "$OUT" && mkdir -p "$OUT"
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')
REV=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo "+changes")
stack_build_if_missing
stack_start RATE_LIMIT_PER_SECOND=0
stack_wait_ready 120

say "minting $USERS tokens, making a multipart upload and a stored object for each"
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[sys.argv[1]])' "$1"; }
: >"$OUT/uploads.txt"; : >"$OUT/objects.txt"; printf 'hello\n' >"$OUT/hello.txt"  # 6 bytes, signed as Content-Length
for i in $(seq 1 "$USERS"); do
  token=$(curl -fsS -X POST "$BASE_URL/dev/token" -H 'Content-Type: application/json' \
    -d "{\"sub\":\"lifecycle-$i\",\"ttlSeconds\":7200}" | json token)
  created=$(curl -fsS -X POST "$BASE_URL/api/s3/multipart/create" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"filename":"big.bin","contentType":"application/octet-stream","size":104857600}')
  printf '%s\t%s\t%s\n' "$token" "$(json key <<<"$created")" "$(json uploadId <<<"$created")" >>"$OUT/uploads.txt"
  signed=$(curl -fsS -X POST "$BASE_URL/api/s3/presign" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"filename":"a.txt","contentType":"text/plain","size":6}')
  curl -fsS -X PUT -H 'Content-Type: text/plain' --data-binary @"$OUT/hello.txt" "$(json uploadUrl <<<"$signed")" >/dev/null
  printf '%s\t%s\n' "$token" "$(json key <<<"$signed")" >>"$OUT/objects.txt"
  [[ $i == 1 ]] && cut -f1 "$OUT/uploads.txt" >"$OUT/tokens.txt" || cut -f1 "$OUT/uploads.txt" | tail -n1 >>"$OUT/tokens.txt"
done

wrk_run() { # mode connections seconds output [args]
  local mode=$1 c=$2 secs=$3 out=$4
  shift 4
  stack_check_alive
  stack_run wrk -t1 -c"$c" -d"$secs"s -s load-tests/bench/wrk.lua "$BASE_URL" -- "$mode" "$@" >"$out"
}
field() { grep -o " $2=[0-9.]*" "$1" | cut -d= -f2; }
errors() { awk '{for (i = 1; i <= NF; i++) if ($i ~ /^(status_errors|connect_errors|read_errors|write_errors|timeouts)=/) {split($i, a, "="); s += a[2]}} END {print s + 0}' "$1"; }

say "warm-up: ${SAT_SECONDS}s each of presign and part signing"
wrk_run presign "$WRK_CONNECTIONS" "$SAT_SECONDS" "$OUT/warm-presign.txt" "$OUT/tokens.txt"
wrk_run parts "$WRK_CONNECTIONS" "$SAT_SECONDS" "$OUT/warm-parts.txt" "$OUT/uploads.txt" "$PARTS"
for r in $(seq 1 "$REPEATS"); do
  say "round $r: presign, then $PARTS part URLs a call, ${SAT_SECONDS}s each"
  wrk_run presign "$WRK_CONNECTIONS" "$SAT_SECONDS" "$OUT/sat-presign-$r.txt" "$OUT/tokens.txt"
  wrk_run parts "$WRK_CONNECTIONS" "$SAT_SECONDS" "$OUT/sat-parts-$r.txt" "$OUT/uploads.txt" "$PARTS"
done
for mode in confirm listparts companion-part; do
  file=$OUT/uploads.txt
  [[ $mode == confirm ]] && file=$OUT/objects.txt
  say "$mode: $LAT_CONNECTIONS connections, ${LAT_SECONDS}s"
  wrk_run "$mode" "$LAT_CONNECTIONS" "$LAT_SECONDS" "$OUT/s3-$mode.txt" "$file"
done
say "Gatling MultipartSimulation: $GATLING_RATE calls/s of $PARTS URLs for ${GATLING_SECONDS}s"
stack_run mvn -B -ntp -q -f load-tests/pom.xml gatling:test -Dgatling.simulationClass=dev.presign.loadtests.MultipartSimulation \
  -DbaseUrl="$BASE_URL" -DuploadFile="$PWD/$OUT/uploads.txt" -Drate="$GATLING_RATE" -Dduration="$GATLING_SECONDS" \
  -Dparts="$PARTS" >"$OUT/gatling.txt" 2>&1 || true
report=$(grep -o 'file://.*/index.html' "$OUT/gatling.txt" | tail -n 1 | sed 's#^file://##; s#/index.html$##')
if [[ -n $report && -d $report ]]; then mv "$report" "$OUT/gatling-report"; fi
LOAD_AT_END=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')
stack_stop
echo "$LOAD_AT_START $LOAD_AT_END $REV" >"$OUT/run.txt"
fi

python3 - "$OUT" "$PARTS" "$REPEATS" "$REV" "$LOAD_AT_START" "$LOAD_AT_END" "$SAT_SECONDS" "$WRK_CONNECTIONS" \
  "$LAT_CONNECTIONS" "$LAT_SECONDS" "$GATLING_RATE" "$GATLING_SECONDS" >"$OUT/block.md" <<'PY'
import glob, json, os, re, statistics, sys
out, parts, repeats, rev, load0, load1, sat, conns, lat_c, lat_s, g_rate, g_secs = sys.argv[1:]
parts = int(parts)
def result(path):
    line = [l for l in open(path) if l.startswith("RESULT")][-1]
    return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", line)}
rows, ratios = [], []
for r in range(1, int(repeats) + 1):
    p, m = result(f"{out}/sat-presign-{r}.txt"), result(f"{out}/sat-parts-{r}.txt")
    ratio = p["rps"] / (m["rps"] * parts)
    ratios.append(ratio)
    rows.append(f"| {r} | {p['rps']:,.0f} | {m['rps']:,.0f} | {m['rps'] * parts:,.0f} | **{ratio:.2f}** |"
                f" {int(p['status_errors'] + m['status_errors'])} |")
med = statistics.median(ratios)
s3 = []
for mode, what in [("confirm", "confirm: HeadObject"), ("listparts", "multipart parts: ListMultipartUploads + ListParts"),
                   ("companion-part", "Companion sign part: ListMultipartUploads + 1 URL")]:
    x = result(f"{out}/s3-{mode}.txt")
    s3.append(f"| {what} | {x['rps']:,.0f} | {x['p50_us'] / 1000:.1f} | {x['p99_us'] / 1000:.1f} | {int(x['status_errors'])} |")
g = open(f"{out}/gatling.txt", errors="replace").read()
def stat(name):  # Gatling's console summary: "> name |  total |  OK |  KO"
    found = re.findall(r"> " + re.escape(name) + r"\s+\|\s+([0-9.,]+)\s+\|\s+([0-9.,-]+)\s+\|\s+([0-9.,-]+)", g)
    return found[-1] if found else ("?", "?", "?")  # the last: Gatling prints running totals first
gat = (f"p50 {stat('response time 50th percentile (ms)')[0]} ms, p95 {stat('response time 95th percentile (ms)')[0]} ms,"
       f" p99 {stat('response time 99th percentile (ms)')[0]} ms, {stat('Global')[2]} failed of {stat('Global')[0]} calls"
       if "percentile" in g else "Gatling did not finish: see gatling.txt")
print(f"""<!-- kept: lifecycle -->
## The upload lifecycle (issue 12): part-URL signing and the calls backed by S3

`load-tests/lifecycle-bench.sh` on revision {rev} (load average {load0} at start, {load1} at end; the machine is
shared). Local stack: S3Proxy in memory beside the gateway on the same 2 CPUs; per-caller rate limit off.

**Part-URL signing** (wrk, {conns} connections, {sat} s each, rounds alternating): `POST /api/s3/presign` signs one
URL a call; `POST /api/s3/multipart/sign` signs {parts} UploadPart URLs a call after one S3 check that the upload
exists (ListMultipartUploads). Per-URL cost relative to a single presign = presign req/s / (part-sign req/s x
{parts}); goal ≤ 1.2.

| round | presign req/s | part-sign calls/s | part URLs/s | per-URL cost vs presign | non-2xx |
|---|---|---|---|---|---|
""" + "\n".join(rows) + f"""

Median per-URL cost: **{med:.2f} x** a single presign's ({'goal met' if med <= 1.2 else 'goal NOT met'}).

**Calls backed by S3** (wrk, {lat_c} connections, {lat_s} s each). Their time is S3's (here S3Proxy's, sharing the
CPUs with the gateway and the load generator), not the gateway's: the gateway adds its token check and one async
SDK call per S3 action, and never blocks an event loop while it waits.

| call | req/s | p50 ms | p99 ms | non-2xx |
|---|---|---|---|---|
""" + "\n".join(s3) + f"""

**Gatling** (`MultipartSimulation`, {g_rate} calls/s of {parts} part URLs for {g_secs} s, open model): {gat}.
HTML report: `{out}/gatling-report/index.html`.
<!-- /kept: lifecycle -->""")
PY
python3 - "$OUT/block.md" <<'PY'
import re, sys
block = open(sys.argv[1]).read().strip()
doc = open("BENCHMARKS.md").read()
pattern = re.compile(r"<!-- kept: lifecycle -->.*?<!-- /kept: lifecycle -->", re.S)
doc = pattern.sub(lambda m: block, doc) if pattern.search(doc) else doc.rstrip() + "\n\n" + block + "\n"
open("BENCHMARKS.md", "w").write(doc)
PY
say "BENCHMARKS.md: lifecycle block written ($OUT/block.md)"
cat "$OUT/block.md"
