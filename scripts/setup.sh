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
echo "setup: done"
