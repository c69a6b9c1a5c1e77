#!/usr/bin/env bash
# The e2e suite's real VS Code: code-server 4.100.3 (the newest release that runs on
# Node 20) driven by Debian's Chromium through playwright-core. code-server lives in its
# own directory, outside the root node_modules, so its ~300 MB never mixes with the
# project's dependency tree and `npm ci` at the root stays fast.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/debian-packages.sh

CS_VERSION=4.100.3
CS_DIR=test/e2e/.code-server

# chromium drives the workbench; ripgrep stands in for the rg that @vscode/ripgrep would
# download from GitHub; libkrb5-dev, build-essential, pkg-config and python3 build
# code-server's native modules (kerberos needs the gssapi headers).
ensure_debian_packages e2e \
  chromium=/usr/bin/chromium \
  ripgrep=/usr/bin/rg \
  libkrb5-dev=/usr/include/gssapi/gssapi.h \
  build-essential=/usr/bin/make \
  pkg-config=/usr/bin/pkg-config \
  python3=/usr/bin/python3 \
  openssh-client=/usr/bin/ssh

installed="$("$CS_DIR/node_modules/.bin/code-server" --config /dev/null --version 2>/dev/null | grep -o "^$CS_VERSION " || true)"
if [ -n "$installed" ]; then
  echo "70-e2e: code-server $CS_VERSION already installed in $CS_DIR"
  exit 0
fi

mkdir -p "$CS_DIR/tmp"
cd "$CS_DIR"
[ -f package.json ] || echo '{ "name": "sandlot-e2e-code-server", "private": true }' > package.json

# @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache in $TMPDIR
# already holds the tarball: fill it with Debian's rg for every (package version, tag)
# pair code-server's tree asks for.
# code-server 4.100.3 pulls @vscode/ripgrep 1.15.11, which wants tag v13.0.0-10.
for pair in 1.15.11:v13.0.0-10; do
  version="${pair%%:*}" tag="${pair#*:}"
  cache="tmp/vscode-ripgrep-cache-$version"
  tarball="$cache/ripgrep-$tag-x86_64-unknown-linux-musl.tar.gz"
  [ -f "$tarball" ] && continue
  mkdir -p "$cache" tmp/rg-src
  cp /usr/bin/rg tmp/rg-src/rg
  tar -C tmp/rg-src -czf "$tarball" rg
  rm -rf tmp/rg-src
done

echo "70-e2e: installing code-server $CS_VERSION into $CS_DIR (about a minute)"
# unsafe_perm: its postinstall refuses to run as root otherwise; yes: node-pty's
# postinstall runs `npx node-gyp`, and npx must not stop to ask.
TMPDIR="$PWD/tmp" npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION" >install.log 2>&1 || {
    tail -30 install.log >&2
    echo "70-e2e: code-server install failed; full log in $CS_DIR/install.log" >&2
    exit 1
  }
# Running --version writes no config when pointed at /dev/null.
./node_modules/.bin/code-server --config /dev/null --version
