#!/usr/bin/env bash
# The docker driver and its tests: a Docker engine (Debian's docker.io; the tests start
# their own dockerd with its state in a temp dir) and debootstrap, which makes the Debian
# rootfs every machine image is built from. The registry image installs Debian's
# docker-registry inside itself, so the host does not need it.
set -euo pipefail

declare -A NEED=(
  [docker.io]=/usr/sbin/dockerd
  [debootstrap]=/usr/sbin/debootstrap
)
missing=()
for pkg in "${!NEED[@]}"; do
  [ -e "${NEED[$pkg]}" ] || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup (docker): docker.io and debootstrap present"
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  echo "setup (docker): installing ${missing[*]}"
  apt-get update -qq
  # docker.io's postinst wants to start the service; without an init system that fails
  # harmlessly, and policy-rc.d-less containers print a warning we do not need.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "setup (docker): missing Debian packages: ${missing[*]} (install them with: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
