#!/usr/bin/env bash
# Sets up a fresh checkout: Debian packages the agent and tests use, npm packages, and
# the bundles. Safe to run again. As root it installs packages with apt-get; otherwise
# it names what is missing. Parts for the other drivers and the test suites live in
# scripts/setup.d/ and run in name order; `setup.sh core` skips them (enough for the
# agent, the CLI and the sandbox driver).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/debian-packages.sh
mode=${1:-all}
case "$mode" in all | core) ;; *)
  echo "usage: scripts/setup.sh [core]" >&2
  exit 2
  ;;
esac

# Each Debian package with a file it provides (how it is found when not root).
ensure_debian_packages core \
  openssh-client=/usr/bin/ssh \
  openssh-sftp-server=/usr/lib/openssh/sftp-server \
  iproute2=/usr/sbin/ip \
  util-linux=/usr/bin/nsenter \
  procps=/usr/bin/ps \
  build-essential=/usr/bin/make \
  python3=/usr/bin/python3 \
  bsdutils=/usr/bin/script \
  nftables=/usr/sbin/nft \
  passt=/usr/bin/pasta \
  curl=/usr/bin/curl

echo "setup: npm ci"
npm ci --no-audit --no-fund --loglevel=error

for part in scripts/setup.d/*.sh; do
  [ "$mode" = core ] && break
  [ -e "$part" ] || continue
  echo "setup: $part"
  bash "$part"
done

echo "setup: building bundles"
npm run --silent build

# As root, the sandbox driver gives machines that name an image (the built-in templates
# do) an image root; its rootfs is built once (debootstrap, ~3 min) into the machine image
# cache. Done here so the first playground starts in a second. `all` builds the cache the
# test suites share instead of the user's own.
if [ "$(id -u)" = 0 ]; then
  if [ "$mode" = all ]; then export SANDLOT_VM_CACHE="${SANDLOT_VM_CACHE:-${TMPDIR:-/tmp}/sandlot-vm-cache}"; fi
  echo "setup: sandbox image root for linux"
  node dist/sandlot.js images build linux --driver sandbox
fi
echo "setup: done"
