# Sourced by smoke.sh, soak.sh and bench.sh: runs the gateway's local stack (S3Proxy + gateway in dev mode) in the
# background on free ports, and stops it, S3Proxy included, however the calling script ends.
# Needs only bash, Java 17 and Maven: no curl, no ps.
#
# Several stacks at once (bench.sh: the current gateway and a baseline): each stack_start sets the globals below
# for the new stack; stack_save NAME keeps them under NAME_…, stack_use NAME makes that stack the current one again.
# stack_stop (also run on exit) stops every stack started; stack_stop_one only the current one.

# The repository root; GATEWAY_DIR is the gateway's Maven project to build and run (default: this repository).
STACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GATEWAY_DIR=$(cd "${GATEWAY_DIR:-$STACK_ROOT}" && pwd)
STACK_PGID=
STACK_DIR=
STACK_CHILD=
STACK_ALL_PGIDS=()
STACK_ALL_DIRS=()
STACK_VARS=(HTTP_PORT MANAGEMENT_PORT S3_PORT BASE_URL MANAGEMENT_URL STACK_PGID STACK_DIR)

# Sets the variable named $1 to a port nothing listens on, below Linux's ephemeral range (32768+) so that no
# outgoing connection can take it meanwhile. Not a $(subshell): the ports already picked must be remembered.
stack_pick_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    if [[ " ${STACK_PORTS_TAKEN:-} " == *" $port "* ]]; then continue; fi
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      STACK_PORTS_TAKEN="${STACK_PORTS_TAKEN:-} $port"
      printf -v "$1" '%s' "$port"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# The status code of GET http://127.0.0.1:PORT/PATH, or 000 when nothing answers.
stack_http_status() {
  ( exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$2" "$1" >&3
    IFS=' ' read -r -t 5 _ code _ <&3 && echo "$code" ) 2>/dev/null || echo 000
}

# Builds target/presign-gateway.jar (and target/s3proxy.jar) unless both exist.
stack_build_if_missing() {
  if [[ ! -f "$GATEWAY_DIR/target/presign-gateway.jar" || ! -f "$GATEWAY_DIR/target/s3proxy.jar" ]]; then
    echo "== building the gateway (mvn -DskipTests package)"
    (cd "$GATEWAY_DIR" && mvn -B -ntp -q -DskipTests package)
  fi
}

# Starts the stack; sets HTTP_PORT, MANAGEMENT_PORT, S3_PORT, BASE_URL, MANAGEMENT_URL. Extra env: "$@".
stack_start() {
  stack_pick_port HTTP_PORT
  stack_pick_port MANAGEMENT_PORT
  stack_pick_port S3_PORT
  BASE_URL="http://127.0.0.1:$HTTP_PORT"
  MANAGEMENT_URL="http://127.0.0.1:$MANAGEMENT_PORT"
  STACK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/presign-stack.XXXXXX")
  # Private copies: a concurrent `mvn package` in the repository must not rewrite the jars under a running JVM.
  cp "$GATEWAY_DIR/target/presign-gateway.jar" "$GATEWAY_DIR/target/s3proxy.jar" "$STACK_DIR/"
  # The stack is in its own process group, out of reach of a kill aimed at ours: stop it on any exit, and turn
  # the usual signals into exits (bash runs no EXIT trap when a signal kills it).
  trap stack_stop EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # setsid: the gateway leads its own process group, which S3Proxy (its child) joins, so one kill reaches both.
  # EDGE_RATE_LIMIT_PER_SECOND=0: every load-test client is 127.0.0.1, and thousands of tokens first verified from
  # one address would be the edge limit's job to refuse; a caller's own setting (in "$@") still wins.
  setsid env HTTP_PORT="$HTTP_PORT" MANAGEMENT_PORT="$MANAGEMENT_PORT" S3_ENDPOINT="http://127.0.0.1:$S3_PORT" \
    CORS_ALLOWED_ORIGINS="http://127.0.0.1:$HTTP_PORT" EDGE_RATE_LIMIT_PER_SECOND=0 "$@" \
    java ${STACK_JAVA_OPTS:-} -Ds3proxy.jar="$STACK_DIR/s3proxy.jar" -jar "$STACK_DIR/presign-gateway.jar" local \
    >"$STACK_DIR/gateway.log" 2>&1 </dev/null &
  local pid=$!
  sleep 0.2
  # The group id, read rather than assumed: it equals the pid unless setsid had to fork.
  STACK_PGID=$(awk '{print $5}' "/proc/$pid/stat" 2>/dev/null || echo "$pid")
  STACK_ALL_PGIDS+=("$STACK_PGID")
  STACK_ALL_DIRS+=("$STACK_DIR")
  echo "== local stack starting: gateway $BASE_URL, management $MANAGEMENT_URL, S3Proxy :$S3_PORT (log $STACK_DIR/gateway.log)"
}

# Waits until /health/ready answers 200 (at most $1 seconds, default 120).
stack_wait_ready() {
  local start=$SECONDS deadline=$((SECONDS + ${1:-120}))
  while ((SECONDS < deadline)); do
    if [[ $(stack_http_status "$MANAGEMENT_PORT" /health/ready) == 200 ]]; then
      echo "== local stack ready after $((SECONDS - start))s"
      return 0
    fi
    if ! kill -0 -- "-$STACK_PGID" 2>/dev/null; then
      echo "!! the local stack exited; its log:" >&2
      tail -n 40 "$STACK_DIR/gateway.log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "!! /health/ready did not answer 200 within ${1:-120}s; log tail:" >&2
  tail -n 40 "$STACK_DIR/gateway.log" >&2
  return 1
}

# Fails, with the log's tail, when the stack is no longer running (it crashed, or something else stopped it).
stack_check_alive() {
  if [[ -z "$STACK_PGID" ]] || ! kill -0 -- "-$STACK_PGID" 2>/dev/null; then
    echo "!! the local stack is not running any more; its log ends with:" >&2
    grep -v ' audit ' "$STACK_DIR/gateway.log" | tail -n 20 >&2
    return 1
  fi
}

# Runs "$@" (a load generator) in its own process group and waits for it. Bash defers a trap until the foreground
# command ends; `wait` is interrupted at once, and stack_stop then stops this group too.
stack_run() {
  setsid "$@" &
  STACK_CHILD=$!
  local rc=0
  wait "$STACK_CHILD" || rc=$?
  STACK_CHILD=
  return $rc
}

# Keeps the current stack's globals (ports, URLs, group, folder) as NAME_HTTP_PORT, NAME_BASE_URL, …
stack_save() {
  local v
  for v in "${STACK_VARS[@]}"; do printf -v "${1}_$v" '%s' "${!v}"; done
}

# Makes the stack saved as NAME the current one: the helpers above and below then act on it.
stack_use() {
  local v n
  for v in "${STACK_VARS[@]}"; do n="${1}_$v"; printf -v "$v" '%s' "${!n}"; done
}

# The pid of the current stack's gateway JVM (S3Proxy is its child, in the same group), empty when it is gone.
stack_gateway_pid() {
  local p
  if grep -qa presign-gateway.jar "/proc/$STACK_PGID/cmdline" 2>/dev/null; then
    echo "$STACK_PGID"
    return 0
  fi
  for p in /proc/[0-9]*; do
    if [[ $(awk '{print $5}' "$p/stat" 2>/dev/null) == "$STACK_PGID" ]] && grep -qa presign-gateway.jar "$p/cmdline" 2>/dev/null; then
      echo "${p#/proc/}"
      return 0
    fi
  done
}

# TERM to the whole group (the gateway's shutdown hook also stops S3Proxy), KILL whatever is left after 15 s.
stack_stop_group() { # pgid dir
  local pgid=$1 dir=$2
  if [[ -n "$pgid" ]] && kill -0 -- "-$pgid" 2>/dev/null; then
    kill -TERM -- "-$pgid" 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 -- "-$pgid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 -- "-$pgid" 2>/dev/null; then
      echo "!! stack still running after 15 s: SIGKILL" >&2
      kill -KILL -- "-$pgid" 2>/dev/null || true
    fi
    echo "== local stack stopped"
  elif [[ -n "$pgid" ]]; then
    echo "== local stack had already stopped"
  fi
  if [[ -n "$dir" && -d "$dir" ]]; then
    rm -f "$dir"/*.jar
    # An audit line per request makes the log large under load: keep its end.
    if [[ -f "$dir/gateway.log" && $(stat -c %s "$dir/gateway.log") -gt 10000000 ]]; then
      tail -n 2000 "$dir/gateway.log" >"$dir/gateway.log.tail" && mv "$dir/gateway.log.tail" "$dir/gateway.log"
    fi
  fi
}

# Stops the current stack only (the others keep running, and stack_stop no longer waits for it).
stack_stop_one() {
  local i
  stack_stop_group "$STACK_PGID" "$STACK_DIR"
  for i in "${!STACK_ALL_PGIDS[@]}"; do
    if [[ ${STACK_ALL_PGIDS[i]} == "$STACK_PGID" ]]; then unset 'STACK_ALL_PGIDS[i]' 'STACK_ALL_DIRS[i]'; fi
  done
  STACK_PGID=
}

# Stops the load generator stack_run started, if any, then every stack started. Keeps the exit status ($?).
stack_stop() {
  local rc=$? i
  if [[ -n "${STACK_CHILD:-}" ]]; then
    kill -TERM -- "-$STACK_CHILD" 2>/dev/null || true
    STACK_CHILD=
  fi
  for i in "${!STACK_ALL_PGIDS[@]}"; do
    stack_stop_group "${STACK_ALL_PGIDS[i]}" "${STACK_ALL_DIRS[i]}"
  done
  STACK_ALL_PGIDS=()
  STACK_ALL_DIRS=()
  STACK_PGID=
  return $rc
}
