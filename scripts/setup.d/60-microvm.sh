#!/usr/bin/env bash
# The microvm driver and its tests: QEMU (system emulator + qemu-img), debootstrap for
# the rootfs, and apt's knowledge of Debian's cloud kernel, whose .deb the image builder
# fetches with `apt-get download` on first use (it is unpacked, never installed here).
set -euo pipefail

declare -A NEED=(
  [qemu-system-x86]=/usr/bin/qemu-system-x86_64
  [qemu-utils]=/usr/bin/qemu-img
  [debootstrap]=/usr/sbin/debootstrap
  [e2fsprogs]=/usr/sbin/mkfs.ext4
)
missing=()
for pkg in "${!NEED[@]}"; do
  [ -e "${NEED[$pkg]}" ] || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup (microvm): installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup (microvm): missing Debian packages: ${missing[*]} (install them with: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
else
  echo "setup (microvm): qemu-system-x86, qemu-utils, debootstrap present"
fi
if ! apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq; fi
fi
apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1 || {
  echo "setup (microvm): apt does not know linux-image-cloud-amd64 (run apt-get update)" >&2
  exit 1
}
