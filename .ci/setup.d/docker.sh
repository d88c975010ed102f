#!/usr/bin/env bash
# Starts a Docker engine for the container test (DockerImageIT) and builds the base images
# docker/Dockerfile needs. No image registry is reachable, so the bases are made from Debian
# packages with debootstrap and imported. The engine uses host networking only (no bridge, no
# iptables) and the overlay2 storage driver (vfs where overlays cannot be mounted).
#
# Under CI=true everything starts fresh in a temporary directory, and the engine is stopped and
# the directory removed by $CI_TEARDOWN (see .ci/run). Locally the engine's data root (with the
# base images) is kept under $HOME/.cache/kafka-dedup-ci and a running engine is reused; stop it
# with
#   kill "$(cat "$HOME/.cache/kafka-dedup-ci/dockerd.pid")"
# Exports DOCKER_HOST and the base image names through $CI_ENV for ./mvnw verify.
set -euo pipefail

RUNTIME_IMAGE=kafka-dedup-ci/jre:17
BUILD_IMAGE=kafka-dedup-ci/jdk:17

if [ "${CI:-}" = true ]; then
  home=$(mktemp -d /tmp/kafka-dedup-ci.XXXXXX)
else
  home="$HOME/.cache/kafka-dedup-ci"
fi
mkdir -p "$home"
socket="$home/docker.sock"
export DOCKER_HOST="unix://$socket"

need=()
command -v dockerd > /dev/null || need+=(docker.io)
command -v debootstrap > /dev/null || need+=(debootstrap)
command -v docker-compose > /dev/null || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
fi
# Debian's client, not any other docker binary earlier on the PATH
docker=/usr/bin/docker

# stops the engine started below and removes its directory; an engine that died mid-way can
# leave overlay or shm mounts behind, so those are unmounted first and rm never crosses into one
stop_engine() {
  local pid
  pid=$(cat "$home/dockerd.pid" 2> /dev/null) || pid=
  if [ -n "$pid" ] && kill "$pid" 2> /dev/null; then
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.5
    done
    kill -9 "$pid" 2> /dev/null || true
  fi
  awk -v dir="$home/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n 1 umount -l
  rm -rf --one-file-system "$home"
}

if ! "$docker" version > /dev/null 2>&1; then
  started=$SECONDS
  if [ "${CI:-}" = true ]; then
    echo "$(declare -f stop_engine); home='$home' stop_engine" >> "${CI_TEARDOWN:?CI=true needs .ci/run}"
  fi
  # overlay2 where the kernel lets us mount overlays (each build step then costs a layer diff);
  # vfs otherwise, which copies the whole file system per layer but works anywhere
  for driver in overlay2 vfs; do
    dockerd --data-root "$home/data" --exec-root "$home/exec" --pidfile "$home/dockerd.pid" \
      --storage-driver "$driver" --bridge=none --iptables=false --ip6tables=false \
      --host "$DOCKER_HOST" > "$home/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do
      "$docker" version > /dev/null 2>&1 && break 2
      kill -0 $! 2> /dev/null || break
      sleep 0.5
    done
    kill $! 2> /dev/null || true
    wait $! 2> /dev/null || true
  done
  "$docker" version > /dev/null || { tail -20 "$home/dockerd.log"; exit 1; }
  echo "engine started in $((SECONDS - started)) s"
fi
echo "docker engine $("$docker" info --format '{{.ServerVersion}}, {{.Driver}}') at $DOCKER_HOST"

if ! "$docker" image inspect "$RUNTIME_IMAGE" "$BUILD_IMAGE" > /dev/null 2>&1; then
  started=$SECONDS
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  mirror=${mirror:-$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)}
  root=$(mktemp -d /tmp/kafka-dedup-rootfs.XXXXXX)
  trap 'umount "$root/proc" 2> /dev/null || true; rm -rf "$root"' EXIT
  # runs a command in the new root file system; java needs /proc there (package hooks run it)
  in_root() {
    local log=$1 status=0
    shift
    mount -t proc proc "$root/proc"
    chroot "$root" "$@" > "$home/$log" 2>&1 || status=$?
    umount "$root/proc"
    [ "$status" = 0 ] || { tail -20 "$home/$log"; exit 1; }
  }
  debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$root" "$mirror" \
    > "$home/debootstrap.log" 2>&1 || { tail -20 "$home/debootstrap.log"; exit 1; }
  # CAs this host trusts locally (e.g. a TLS-inspecting proxy's) are needed by builds in the image
  if compgen -G "/usr/local/share/ca-certificates/*.crt" > /dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    in_root update-ca-certificates.log update-ca-certificates
  fi
  # package caches and lists are not needed at run time
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | "$docker" import - "$RUNTIME_IMAGE" > /dev/null
  # the build image adds the JDK (compiler, jar) on top of the same root file system
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  in_root apt-jdk.log sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless'
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | "$docker" import - "$BUILD_IMAGE" > /dev/null
  echo "base images built in $((SECONDS - started)) s"
fi

{
  echo "export DOCKER_HOST='$DOCKER_HOST'"
  # Ryuk (Testcontainers' reaper) is an image that cannot be pulled here; the tests clean up.
  echo "export TESTCONTAINERS_RYUK_DISABLED=true"
  # this machine looks like a container (/.dockerenv): without an override Testcontainers asks
  # for the default bridge network's gateway, and there is no bridge
  echo "export TESTCONTAINERS_HOST_OVERRIDE=localhost"
  echo "export KAFKA_DEDUP_RUNTIME_IMAGE='$RUNTIME_IMAGE'"
  echo "export KAFKA_DEDUP_BUILD_IMAGE='$BUILD_IMAGE'"
} >> "${CI_ENV:-/dev/null}"
