#!/usr/bin/env bash
# Smoke load test, for CI: ~25 s of load on a local stack, fails when any request gets a wrong answer.
#
#   load-tests/smoke.sh
#
# Builds target/presign-gateway.jar if missing, starts the local stack (S3Proxy + gateway in dev mode) on free
# ports in the background, waits for /health/ready, runs PresignSimulation and MixedTrafficSimulation (10 s each
# at 20 req/s by default), stops the stack (S3Proxy too) on any exit, and exits with Gatling's status: non-zero
# when an assertion failed. Needs Java 17 and Maven; Gatling comes from Maven Central.
# Env: SMOKE_RATE (req/s, default 20), SMOKE_DURATION (s per simulation, default 10), SMOKE_USERS (default 20).
set -euo pipefail
source "$(dirname "$0")/lib/stack.sh"
cd "$STACK_ROOT"

rate=${SMOKE_RATE:-20}
duration=${SMOKE_DURATION:-10}
users=${SMOKE_USERS:-20}
started=$SECONDS

stack_build_if_missing
# Leeway 0: MixedTrafficSimulation's 1-second tokens are expired after 2 s instead of 32.
stack_start JWT_LEEWAY_SECONDS=0
stack_wait_ready 120

rc=0
stack_run mvn -B -ntp -f load-tests/pom.xml gatling:test \
  -Dgatling.runMultipleSimulations=true -Dgatling.continueOnAssertionFailure=true \
  -Dgatling.includes=dev.presign.loadtests.PresignSimulation,dev.presign.loadtests.MixedTrafficSimulation \
  -DbaseUrl="$BASE_URL" -Drate="$rate" -Dduration="$duration" -Dusers="$users" -DjwtLeewaySeconds=0 \
  || rc=$?

if ((rc != 0)); then
  echo "!! smoke load test FAILED (Gatling exit $rc): a request got an answer other than the one it expects" >&2
  echo "   gateway log: $STACK_DIR/gateway.log; reports: load-tests/target/gatling/" >&2
else
  echo "== smoke load test passed in $((SECONDS - started)) s"
fi
exit $rc
