#!/usr/bin/env bash
# The test command (README "Testing", and what .ci/run calls): installs what the tests need on
# a fresh Debian 12 + Node 20 machine, then runs type checks, lint, format check and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the tests drive for real: promtool checks /metrics output and the rules,
# Prometheus and Alertmanager run the alerting pipeline end to end, node_exporter feeds the
# capacity rules and dashboard and runs in `vantage stack`, Lighthouse audits run in Debian's
# Chromium.
missing=()
command -v promtool >/dev/null || missing+=(prometheus)
command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
command -v prometheus-node-exporter >/dev/null || missing+=(prometheus-node-exporter)
command -v chromium >/dev/null || missing+=(chromium)
# render-config.sh must run in the busybox-based Alertmanager image: a test runs it in busybox sh.
command -v busybox >/dev/null || missing+=(busybox)
# docker-compose.yml is validated by `docker-compose config`, which needs no Docker engine.
command -v docker-compose >/dev/null || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing ${missing[*]}: run as root or install them with apt-get" >&2
    exit 1
  fi
  echo "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v openssl >/dev/null || { echo "openssl is required to make test certificates" >&2; exit 1; }

npm ci --no-audit --no-fund
npx tsc --noEmit -p .
npx eslint .
npx prettier --check .
mkdir -p .tmp
status=0
npx vitest run --reporter=default --reporter=json --outputFile=.tmp/vitest.json || status=$?
# One plain closing line that any CI reads: "N passed, N failed".
node -e '
  const r = JSON.parse(require("fs").readFileSync(".tmp/vitest.json", "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
exit "$status"
