#!/bin/sh
# Writes the PrometheusRule's spec (its rule groups) as the plain rules file promtool reads, into DIR
# (default: this folder), with the unit tests beside it. ../prometheusrule.yaml stays the one source of truth.
#   k8s/monitoring/rules/extract.sh && cd k8s/monitoring/rules &&
#   promtool check rules presign-gateway.rules.yaml && promtool test rules presign-gateway.rules.test.yaml
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:-$here}" && pwd)
# Everything after the `spec:` line, one indentation level (two spaces) less.
sed -e '1,/^spec:$/d' -e 's/^  //' "$here/../prometheusrule.yaml" > "$out/presign-gateway.rules.yaml"
if [ "$out" != "$here" ]; then
  cp "$here/presign-gateway.rules.test.yaml" "$out/"
fi
