// The two programs a microvm guest runs before the image's own init: the initrd's /init
// (loads the virtio modules the root disk needs, mounts it, switches to it) and the VM
// init (PID 1's child under tini). The VM init does everything machine-neutral first,
// then waits on the control port for "go": a snapshot is taken exactly there, so every
// clone resumes at the point where it learns who it is (clock, hostname, address, keys)
// and only then starts sshd. Nothing machine-specific is ever in the snapshot.

/** virtio-serial port name the agent and the VM init talk over. */
export const CONTROL_PORT_NAME = 'sandlot.ctl';

/** Where the VM init finds the per-machine settings (from the config disk). */
export const VM_ENV_PATH = '/etc/sandlot/vm.env';

/** Interfaces, addresses and routes of the machine (from the config disk), run once per boot. */
export const VM_NETWORK_PATH = '/etc/sandlot/vm-network.sh';

/** Drives to mount, one per line: `<serial> <ro|rw> <mount point>` (from the config disk). */
export const VM_DRIVES_PATH = '/etc/sandlot/vm-drives';

export const VM_INIT_PATH = '/usr/local/sbin/sandlot-vm-init';

/** Modules the initrd loads to reach the root disk (dependencies are added from modules.dep). */
export const INITRD_MODULES = ['virtio_mmio', 'virtio_blk'];
/** Modules the VM init loads from the root disk. */
/** Modules the VM init loads from the root disk (button + evdev: the ACPI power button QMP presses). */
export const ROOTFS_MODULES = ['virtio_net', 'virtio_console', 'virtio_rng', 'virtio_balloon', 'button', 'evdev'];

export const INITRD_INIT = `#!/bin/busybox sh
# Sandlot microvm initrd: load what the root disk needs, mount it, switch to it.
/bin/busybox mkdir -p /proc /sys /dev /root
/bin/busybox --install -s /bin
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
while read -r m; do insmod "/$m" 2>/dev/null || echo "initrd: insmod $m failed"; done </modules.order
i=0
while [ ! -b /dev/vda ] && [ $i -lt 500 ]; do usleep 10000; i=$((i+1)); done
if ! mount -t ext4 -o rw,noatime /dev/vda /root; then
  echo "initrd: cannot mount the root disk /dev/vda"
  poweroff -f
fi
umount /proc
mount --move /dev /root/dev
exec switch_root /root /usr/bin/tini -g -- ${VM_INIT_PATH}
`;

export const VM_INIT = `#!/bin/sh
# Sandlot microvm init: machine-neutral set-up, wait for "go" on the control port,
# apply this machine's identity from the config disk (serial sandlot-config, a tar
# archive: keys, names, interfaces, drives), mount its drives, start
# the image's init (services + sshd), say "ready" (the agent then waits for sshd's port
# from outside: polling it in here would cost the guest CPU sshd needs); then serve "stop".
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ln -sf /proc/self/fd /dev/fd 2>/dev/null
hostname localhost
for m in ${ROOTFS_MODULES.join(' ')}; do modprobe -q "$m"; done
ip link set lo up
port=
for i in $(seq 1 500); do
  for d in /sys/class/virtio-ports/*; do
    [ "$(cat "$d/name" 2>/dev/null)" = ${CONTROL_PORT_NAME} ] && port=/dev/$(basename "$d")
  done
  [ -n "$port" ] && [ -e "$port" ] && break
  sleep 0.01
done
[ -n "$port" ] || { echo "sandlot-vm-init: no control port"; busybox poweroff -f; }
exec 3<>"$port"
shutdown_guest() {
  kill -TERM -1 2>/dev/null
  for i in $(seq 1 30); do pgrep -x sshd >/dev/null || break; busybox usleep 100000; done
  kill -KILL -1 2>/dev/null
  sync
  mount -o remount,ro / 2>/dev/null
  # Only when asked on the port: a write there blocks while the agent is not connected.
  [ "\${1:-}" = port ] && echo stopped >&3
  busybox poweroff -f
}
# QMP system_powerdown presses the ACPI power button: one input event on its device. The
# watcher only signals; this script (tini's child) must outlive everything it stops.
trap shutdown_guest USR1
for ev in /sys/class/input/event*; do
  [ "$(cat "$ev/device/name" 2>/dev/null)" = "Power Button" ] && button=/dev/input/$(basename "$ev")
done
if [ -n "\${button:-}" ]; then
  (dd if="$button" bs=24 count=1 of=/dev/null 2>/dev/null && kill -USR1 $$) &
fi
# Freed page cache goes back to the host (free page reporting), so a snapshot taken now
# is small and quick to restore; files are read again from the host's cache.
sync
echo 3 >/proc/sys/vm/drop_caches
# Blocks until the agent is connected to the port.
echo waiting >&3
# EOF while the agent is not connected (also right after a snapshot restore): retry.
# (busybox is static: no dynamic linking, which is slow in a guest with a cold translation cache)
until read -r cmd epoch seed <&3 && [ "$cmd" = go ]; do busybox usleep 20000; done
date -s "@$epoch" >/dev/null
echo "$seed" >/dev/urandom
# Disks by the serial the agent gave them (the manifest's drive order, then the config disk).
disk_of() { for d in /sys/block/vd*; do [ "$(cat "$d/serial" 2>/dev/null)" = "$1" ] && { echo "/dev/\${d##*/}"; return; }; done; }
# O_DIRECT: the page cache may hold the disk as it was when the snapshot was taken.
dd if="$(disk_of sandlot-config)" iflag=direct bs=1M 2>/dev/null | tar -x -C / -f - 2>/dev/null
. ${VM_ENV_PATH}
echo "$VM_HOSTNAME" >/proc/sys/kernel/hostname
if [ -e ${VM_DRIVES_PATH} ]; then
  while read -r serial mode dir; do
    dev=$(disk_of "$serial")
    [ -n "$dev" ] || { echo "sandlot-vm-init: no disk $serial for $dir"; continue; }
    # A clone's kernel read its disks' first blocks in the template: read them again.
    blockdev --flushbufs "$dev" 2>/dev/null
    mkdir -p "$dir" && mount -o "$mode" "$dev" "$dir" || echo "sandlot-vm-init: cannot mount $dev on $dir"
  done <${VM_DRIVES_PATH} >>/var/log/sandlot/drives.log 2>&1
fi
# sshd first (it only needs the host key): it starts while the network is configured.
/usr/local/sbin/sandlot-init >>/var/log/sandlot/init.log 2>&1 &
sh ${VM_NETWORK_PATH} >/var/log/sandlot/network.log 2>&1
echo ready >&3
# A root drive larger than the image: grow its file system while the machine runs.
[ "\${VM_ROOT_GROW:-}" = 1 ] && resize2fs "$(disk_of sandlot-drive0)" >/var/log/sandlot/resize.log 2>&1 &
while :; do
  if read -r cmd arg <&3; then
    case "$cmd" in
      stop) shutdown_guest port ;;
      ping) echo pong >&3 ;;
    esac
  else
    busybox usleep 500000
  fi
done
`;
