#!/usr/bin/env bash
# The docker driver and its tests: a Docker engine (Debian's docker.io; the tests start
# their own dockerd with its state in a temp dir) and debootstrap, which makes the Debian
# rootfs every machine image is built from. The registry image installs Debian's
# docker-registry inside itself, so the host does not need it.
set -euo pipefail
source "$(dirname "$0")/../lib/debian-packages.sh"

# docker.io's postinst wants to start the service; without an init system that fails
# harmlessly.
ensure_debian_packages docker docker.io=/usr/sbin/dockerd debootstrap=/usr/sbin/debootstrap
