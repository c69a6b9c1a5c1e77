#!/usr/bin/env bash
# The microvm driver and its tests: QEMU (system emulator + qemu-img), debootstrap for
# the rootfs, mkfs for the file systems extra drives may ask for (ext*, xfs, btrfs),
# skopeo and umoci for oci:// root drives (pulled and unpacked without an engine), and apt's knowledge of Debian's cloud kernel, whose .deb the image builder
# fetches with `apt-get download` on first use (it is unpacked, never installed here).
set -euo pipefail
source "$(dirname "$0")/../lib/debian-packages.sh"

ensure_debian_packages microvm --no-recommends \
  qemu-system-x86=/usr/bin/qemu-system-x86_64 \
  qemu-utils=/usr/bin/qemu-img \
  debootstrap=/usr/sbin/debootstrap \
  e2fsprogs=/usr/sbin/mkfs.ext4 \
  xfsprogs=/usr/sbin/mkfs.xfs \
  btrfs-progs=/usr/sbin/mkfs.btrfs \
  skopeo=/usr/bin/skopeo \
  umoci=/usr/bin/umoci
if ! apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq; fi
fi
apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1 || {
  echo "setup (microvm): apt does not know linux-image-cloud-amd64 (run apt-get update)" >&2
  exit 1
}
