#!/usr/bin/env bash
# Every test, on a fresh Debian machine that has only Java 17 and Maven (README "Run every test"; .ci/run calls it):
#
#   scripts/test-all.sh
#
# 1. finds what the tests need and installs what is missing with apt-get, as root or through sudo; without either it
#    prints the one apt-get command to run and stops:
#      promtool (package prometheus: the scrape and alert rules; its service is never started: a policy-rc.d forbids
#      every service start during the install), kubectl (kubernetes-client: kustomize renders k8s/), Node.js and npm
#      (Uppy6BrowserIT's puppeteer driver), /usr/bin/chromium and fonts-liberation (its browser and its screenshot's
#      fonts), curl; java and mvn too when missing;
# 2. npm ci --prefix src/test/browser (Uppy 6 and puppeteer-core as package-lock.json pins them; no browser download);
# 3. mvn verify: unit, API, integration (S3Proxy from Maven Central) and ops tests;
# 4. the load-test tools: OpenLoad's tests (load-tests/openload), BenchReport's tests and the Gatling simulations'
#    compilation (load-tests), the JMH benchmarks' compilation against the jar step 3 built (load-tests/jmh).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v java >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v curl >/dev/null || need+=(curl)
command -v promtool >/dev/null || need+=(prometheus)
command -v kubectl >/dev/null || need+=(kubernetes-client)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
[[ -x /usr/bin/chromium ]] || need+=(chromium)
dpkg -s fonts-liberation >/dev/null 2>&1 || need+=(fonts-liberation)

if ((${#need[@]})); then
  install="apt-get update && apt-get install -y --no-install-recommends ${need[*]}"
  if [[ $(id -u) == 0 ]]; then
    sudo=()
  elif command -v sudo >/dev/null && { sudo -n true 2>/dev/null || [[ -t 0 ]]; }; then
    sudo=(sudo)
  else
    echo "The tests need: ${need[*]}. Install them as root, then run this again:" >&2
    echo "  $install" >&2
    exit 1
  fi
  echo "== installing ${need[*]}"
  "${sudo[@]}" apt-get update -qq
  # The prometheus package would start a server on :9090; the tests need only promtool. Forbid service starts for
  # the install (an existing policy-rc.d is put back afterwards).
  policy=/usr/sbin/policy-rc.d
  "${sudo[@]}" sh -c "[ ! -e $policy ] || mv $policy $policy.test-all; printf '#!/bin/sh\nexit 101\n' > $policy; chmod +x $policy"
  rc=0
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" || rc=$?
  "${sudo[@]}" sh -c "rm -f $policy; [ ! -e $policy.test-all ] || mv $policy.test-all $policy"
  if ((rc != 0)); then
    echo "!! apt-get install failed ($rc): $install" >&2
    exit "$rc"
  fi
fi

java -version 2>&1 | sed -n 1p
mvn -v 2>&1 | sed -n 1p
echo "promtool $(promtool --version 2>&1 | sed -n 1p | cut -d' ' -f3); kubectl $(kubectl version --client 2>/dev/null \
  | sed -n 1p | awk '{print $NF}'); node $(node --version); $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"

npm ci --prefix src/test/browser --no-audit --no-fund --loglevel=error
mvn -B -ntp verify
mvn -B -ntp -q -f load-tests/openload/pom.xml verify
mvn -B -ntp -q -f load-tests/pom.xml test
mvn -B -ntp -q -f load-tests/jmh/pom.xml compile
echo "== every test passed: mvn verify, load-tests/openload, load-tests (BenchReport, Gatling compiled), load-tests/jmh compiled"
