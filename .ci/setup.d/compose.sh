#!/usr/bin/env bash
# Debian's docker-compose, for ComposeFileTest's `docker-compose config` (no engine needed).
set -euo pipefail
if ! command -v docker-compose > /dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose > /dev/null
fi
docker-compose version --short
