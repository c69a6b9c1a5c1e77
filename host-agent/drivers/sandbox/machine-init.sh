#!/bin/bash
# PID 1 of a sandbox machine (and, with M_ROLE=hub, the holder of a playground's
# network). `unshare` gave it fresh namespaces; the agent writes its uid/gid maps from
# outside, then says "go" on stdin, and the script re-executes itself so that the exec
# happens as root of the new user namespace and gains its capabilities.
#
# The machine's filesystem: a read-only tmpfs root holding read-only binds of the host's
# top-level directories, never the host's /proc, /sys, /dev, /run, /tmp, /root or /home
# (a machine that can reach the host's /proc can reach every host process's root). Its
# own /root, /home, /tmp, /var/tmp come from the agent's state dir. Inputs come in the
# environment (M_*), never spliced into a command line.
#
# When the agent runs as root the machine runs as an unprivileged uid that may not be
# able to walk to the agent's state dir; then (M_AGENT_BINDS=1) the script stops at
# "binds" and the agent bind-mounts the machine's own directories into the new root
# from outside, as root, before saying "go" again.
set -euo pipefail


# $1: the machine's dir on the host, $2: the new root. Also run by the agent (as root,
# from outside) with the same meaning.
bind_own_dirs() {
  mount --bind "$1/root" "$2/root"
  mount --bind "$1/home" "$2/home"
  mount --bind "$1/tmp" "$2/tmp"
  mount --bind "$1/var-tmp" "$2/var/tmp"
  for f in hosts hostname passwd group; do
    if [ -f "$1/etc/$f" ] && [ -e "$2/etc/$f" ]; then
      mount --bind "$1/etc/$f" "$2/etc/$f"
    fi
  done
}

reap_forever() {
  echo ready
  exec </dev/null >/dev/null 2>&1
  # bash reaps every orphan on SIGCHLD; TERM is ignored so only the agent's stop
  # (SIGKILL to this PID, which ends the whole PID namespace) ends the machine.
  trap '' TERM INT HUP
  while :; do
    sleep 86400 &
    wait $! || true
  done
}

case "${1:-}" in
  bind)
    bind_own_dirs "$2" "$3"
    exit 0
    ;;
  stage2) ;;
  *)
    # Opened by bash itself (no fork), so /proc/self is this process as the host sees it.
    read -r -a stat < /proc/self/stat
    echo "pid ${stat[0]}"
    read -r go
    [ "$go" = go ] || exit 1
    exec "$BASH" -c "$M_SCRIPT" sandlot-init stage2
    ;;
esac

if [ "${M_ROLE:-machine}" = hub ]; then
  ip link set lo up
  ip link add br0 type bridge
  ip link set br0 up
  reap_forever
fi

R=$M_ROOTFS
mount -t tmpfs -o mode=755,size=1m sandlot-root "$R"

# Forks are most of a machine's start time, so builtins are used wherever they do.
skip=" proc sys dev run tmp root home lost+found "
dirs=()
for src in /*; do
  name=${src#/}
  case "$skip" in *" $name "*) continue ;; esac
  if [ -L "$src" ]; then
    ln -s "$(readlink "$src")" "$R/$name"
  elif [ -d "$src" ]; then
    dirs+=("$name")
  elif [ -f "$src" ]; then
    : > "$R/$name"
    mount --bind -o ro "$src" "$R/$name"
  fi
done
mkdir "${dirs[@]/#/$R/}" "$R"/{proc,sys,dev,run,tmp,root,home}
for name in "${dirs[@]}"; do
  # One process binds and makes the top read-only; submounts are handled below. The
  # read-only step alone can fail (a separate mount with locked flags): the loop below
  # then fixes it, so only a bind that did not happen at all is retried.
  mount --rbind -o ro "/$name" "$R/$name" 2>/dev/null || mountpoint -q "$R/$name" || mount --rbind "/$name" "$R/$name"
done

# Every host mount under the new root must be read-only. Flags the kernel locks for an
# unprivileged remount (nosuid, nodev, noexec, atime) are passed back unchanged.
while read -r _ _ _ _ mp opts _; do
  [[ "$mp" == "$R/"* && "$opts" == rw* ]] || continue
  printf -v mp '%b' "$mp"
  mount -o "remount,bind,ro${opts#rw}" "$mp" || { echo "cannot make $mp read-only" >&2; exit 1; }
done < /proc/self/mountinfo

if [ -n "${M_AGENT_BINDS:-}" ]; then
  echo binds
  read -r go
  [ "$go" = go ] || exit 1
else
  bind_own_dirs "$M_DIR" "$R"
fi

mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$R/sys" 2>/dev/null || true
mount -t tmpfs -o nosuid,nodev,mode=755 run "$R/run"

mount -t tmpfs -o nosuid,mode=755,size=64k dev "$R/dev"
for n in null zero full random urandom tty; do
  : > "$R/dev/$n"
  mount --bind "/dev/$n" "$R/dev/$n"
done
mkdir "$R/dev/pts" "$R/dev/shm"
# The agent allocates terminals on the host's devpts; binding it lets `tty` and programs
# that reopen their terminal by name find it.
mount --bind /dev/pts "$R/dev/pts"
mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$R/dev/shm"
ln -s /proc/self/fd "$R/dev/fd"
ln -s /proc/self/fd/0 "$R/dev/stdin"
ln -s /proc/self/fd/1 "$R/dev/stdout"
ln -s /proc/self/fd/2 "$R/dev/stderr"
ln -s pts/ptmx "$R/dev/ptmx"

IFS=: read -r -a masks <<< "${M_MASK:-}"
for m in "${masks[@]}"; do
  if [ -n "$m" ] && [ -d "$R$m" ]; then
    mount -t tmpfs -o ro,size=4k,mode=000 masked "$R$m"
  fi
done
mount -o remount,bind,ro "$R"

hostname "$M_NAME"
if [ -n "${M_ADDR:-}" ]; then
  # The agent moved our end of a veth pair in before saying "go".
  ip -batch - <<EOF_IP
link set lo up
addr add $M_ADDR dev eth0
link set eth0 up
EOF_IP
else
  ip link set lo up
fi

cd "$R"
pivot_root . .
umount -l .
cd /
reap_forever
