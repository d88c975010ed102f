#!/usr/bin/env bash
# Installs Prometheus and promtool from Debian packages for the tests that check the Grafana
# dashboard and the alert rules against a real Prometheus (PrometheusDashboardIT, AlertRulesTest).
# Nothing is started here: the tests run the binary themselves on loopback with a temporary
# configuration and data directory. Debian's package enables a systemd unit; without systemd
# (containers, CI runners) it stays inert.
set -euo pipefail

if command -v prometheus > /dev/null && command -v promtool > /dev/null; then
  echo "prometheus already installed: $(prometheus --version 2>&1 | head -n 1)"
  exit 0
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends prometheus
prometheus --version 2>&1 | head -n 1
