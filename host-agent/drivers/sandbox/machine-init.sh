#!/bin/bash
# The processes that make sandbox machines, one script in four roles ($1):
#
#   hub      PID 1 of a playground's hub: its own user, network and pid namespaces, holding
#            the bridges. Killing it ends everything of the hub (its pid namespace).
#   setup    Builds one machine's file tree in a private mount namespace of the hub's user
#            namespace (in the hub's network namespace), then starts the machine nested one
#            user namespace deeper and plugs it into the hub's bridges. Mounts
#            inherited by a less privileged user namespace are locked by the kernel: the
#            machine's root cannot make the host's view writable, unmount the masks or
#            peel off its own directories, whatever it does. Exits once the machine runs.
#   machine  PID 1 of the machine: its own user, mount, pid, uts, ipc and network
#            namespaces. Mounts what belongs to the machine itself (proc, sys, its own
#            devpts), takes its address and hostname, pivots into the tree and reaps.
#            Only where dist/sandlot-init (init/sandlot-init.c,
#            the same steps in one process) was not built: a C compiler is optional.
#   bind     Run by a root agent from outside (nsenter into setup's mount namespace) to
#            bind the machine's own directories, which the unprivileged setup may not reach.
#
# A machine with an image root gets its layers, data disk, extra drives and etc files from
# the agent's dist/sandlot-image-mounts, also from outside (image-root.ts).
#
# Two kinds of root (M_ROOT_MODE): "view", the host's directories read-only with the
# machine's own /root, /home, /tmp, /var/tmp; "image", an overlay whose lower layer is an
# image's rootfs (idmapped to the machine's ids) and whose upper layer is the machine's
# data disk: root may change anything, the image never changes.
#
# Inputs come in the environment (M_*), never spliced into a command line. Each role
# talks to its starter on stdin/stdout: "pid N" first, then it waits for "go" (the
# starter writes id maps, joins cgroups, plugs network links), and "ready" at the end.
set -euo pipefail

say() { printf '%s\n' "$*"; }
await_go() {
  local go
  read -r go
  [ "$go" = go ] || exit 1
}
# /proc here is still the host's (or the hub's) instance, so this is the PID the agent sees.
host_pid() {
  local stat
  read -r -a stat < /proc/self/stat
  say "pid ${stat[0]}"
}
# Descriptors the agent may have inherited from whoever started it must not reach a
# machine (one of them could be a directory of the host).
close_inherited_fds() {
  local fd
  for fd in /proc/self/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2> /dev/null || true; fi
  done
}
# The last PID 1 (hub and machine): bash reaps every orphan on SIGCHLD. TERM is ignored
# so only the agent's SIGKILL ends it, and with it the whole pid namespace. A clean
# environment: /proc/1/environ inside a machine shows nothing of the host.
reap_forever() {
  say ready
  exec < /dev/null > /dev/null 2>&1
  exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$BASH" -c 'trap "" TERM INT HUP; while :; do sleep 86400 & wait $! || true; done' sandlot-init
}

# Mounts are batched: queued, then made by one mount(8) reading them as an fstab of its own
# (process starts are most of a machine's start). In order; X-mount.mkdir makes a missing
# mount point directory. $1 source, $2 target, $3 type, $4 options.
QUEUED=
queue_mount() {
  local f fields=()
  for f in "$1" "$2"; do
    f=${f//\\/\\134}
    f=${f// /\\040}
    f=${f//$'\t'/\\011}
    f=${f//$'\n'/\\012}
    fields+=("$f")
  done
  QUEUED+="${fields[0]} ${fields[1]} $3 $4 0 0"$'\n'
}
# $1: where the fstab may be written (a directory only this setup or machine sees).
mount_queued() {
  [ -n "$QUEUED" ] || return 0
  printf '%s' "$QUEUED" > "$1/fstab"
  QUEUED=
  mount -a -T "$1/fstab"
}

# $1: the machine's dir on the host, $2: the new root (a path in setup's mount namespace).
bind_own_dirs() {
  mount --bind "$1/root" "$2/root"
  mount --bind "$1/home" "$2/home"
  mount --bind "$1/tmp" "$2/tmp"
  mount --bind "$1/var-tmp" "$2/var/tmp"
  local f target
  for f in hosts hostname passwd group resolv.conf; do
    [ -f "$1/etc/$f" ] || continue
    target=$2/etc/$f
    # A host whose /etc/resolv.conf links into /run (systemd-resolved): the link leads
    # into the machine's own /run, where the file is made to be bound over.
    if [ -L "$target" ]; then
      local link
      link=$(readlink "$target")
      case "$link" in /run/*) ;; *) continue ;; esac
      mkdir -p "$2${link%/*}"
      : > "$2$link"
      target=$2$link
    fi
    if [ -e "$target" ]; then mount --bind "$1/etc/$f" "$target"; fi
  done
}

# The image root at $1 (setup's work dir $W): overlay of the idmapped image over the data disk.
build_image_root() {
  local W=$1 R=$1/root item i mp ro f opts
  # $W/data/upper and $W/data/work: made by the agent's helper with the data disk.
  # Lower layers: the image (0) and, for a fork, the snapshot's changes above it (1, …);
  # overlay lists the topmost first.
  local lowers="" n
  for ((n = ${M_LOWERS:-1} - 1; n >= 0; n--)); do lowers+="${lowers:+:}$W/lower/$n"; done
  mount -t overlay -o "lowerdir=$lowers,upperdir=$W/data/upper,workdir=$W/data/work,userxattr" sandlot-root "$R"
  # The overlay keeps its own hold on each layer; the attachments themselves go.
  local attached=()
  for ((n = 0; n < ${M_LOWERS:-1}; n++)); do attached+=("$W/lower/$n"); done
  umount -l "${attached[@]}"
  for f in hosts hostname resolv.conf; do
    [ -f "$W/etc/$f" ] || continue
    if [ -L "$R/etc/$f" ] || [ ! -f "$R/etc/$f" ]; then
      rm -f "$R/etc/$f"
      : > "$R/etc/$f"
    fi
    queue_mount "$W/etc/$f" "$R/etc/$f" none bind
  done
  # Extra drives: M_DRIVES is "index mountpoint ro|rw" items separated by ";". A read-only
  # bind is made read-only by mount(8) right after binding, before anything runs.
  IFS=';' read -r -a items <<< "${M_DRIVES:-}"
  for item in "${items[@]}"; do
    read -r i mp ro <<< "$item"
    opts=bind,X-mount.mkdir
    if [ "$ro" = ro ]; then opts+=,ro; fi
    queue_mount "$W/drives/$i" "$R$mp" none "$opts"
  done
}

# One bridge per network of the playground: M_BRIDGES is "name address/prefix" items
# separated by ";", address "-" for a private network (nothing of the hub answers there).
hub() {
  local item name addr batch=$'link set lo up\n'
  IFS=';' read -r -a items <<< "${M_BRIDGES:-}"
  for item in "${items[@]}"; do
    read -r name addr <<< "$item"
    batch+="link add $name type bridge"$'\n'
    [ "$addr" = - ] || batch+="addr add $addr dev $name"$'\n'
    batch+="link set $name up"$'\n'
  done
  # One ip for all of it: process starts are most of a playground's start.
  ip -batch - <<< "$batch"
  reap_forever
}

# The machine's tree at $1: a read-only tmpfs root holding read-only binds of the host's
# top-level directories, never the host's /proc, /sys, /dev, /run, /tmp, /root or /home
# (a machine that can reach the host's /proc can reach every host process's root).
build_view() {
  local R=$1 src name skip=" proc sys dev run tmp root home lost+found " dirs=()
  mount -t tmpfs -o mode=755,size=1m sandlot-root "$R"
  # Forks are most of a machine's start time, so builtins are used wherever they do.
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
    mount --rbind -o ro "/$name" "$R/$name" 2> /dev/null || mountpoint -q "$R/$name" || mount --rbind "/$name" "$R/$name"
  done
  # Every host mount under the new root must be read-only. Flags the kernel locks for an
  # unprivileged remount (nosuid, nodev, noexec, atime) are passed back unchanged.
  local mp opts
  while read -r _ _ _ _ mp opts _; do
    [[ "$mp" == "$R/"* && "$opts" == rw* ]] || continue
    printf -v mp '%b' "$mp"
    mount -o "remount,bind,ro${opts#rw}" "$mp" || {
      echo "cannot make $mp read-only" >&2
      exit 1
    }
  done < /proc/self/mountinfo
}

# What every machine has of its own in /run and /dev. Made here, not by the machine, so
# these mounts are locked too: unmounting them would only uncover empty directories.
# Mounts queued before (an image root's etc files and drives) are made with these.
# Only without dist/sandlot-init, which makes them itself (the same, without processes).
machine_run_and_dev() {
  local R=$1 n
  mkdir -p "$R/proc" "$R/sys" "$R/dev" "$R/run" "$R/tmp"
  queue_mount run "$R/run" tmpfs nosuid,nodev,mode=755
  queue_mount dev "$R/dev" tmpfs nosuid,mode=755,size=64k
  queue_mount shm "$R/dev/shm" tmpfs nosuid,nodev,mode=1777,X-mount.mkdir
  mount_queued "$M_WORK"
  for n in null zero full random urandom tty; do
    : > "$R/dev/$n"
    queue_mount "/dev/$n" "$R/dev/$n" none bind
  done
  mount_queued "$M_WORK"
  mkdir "$R/dev/pts"
  # fd and ptmx in one ln: each link is named for its target's last part. The machine's
  # own devpts (mounted by the machine itself) holds its terminals.
  ln -s -t "$R/dev" /proc/self/fd pts/ptmx
  ln -s /proc/self/fd/0 "$R/dev/stdin"
  ln -s /proc/self/fd/1 "$R/dev/stdout"
  ln -s /proc/self/fd/2 "$R/dev/stderr"
}

# Plugs the machine (PID $1) into its networks' bridges: setup runs in the hub's network
# namespace, so per interface one end of a veth pair goes on the bridge and the other into
# the machine under its own name. M_WIRES: "hub-side bridge ethN" items separated by ";".
wire_machine() {
  local item a b c batch=
  IFS=';' read -r -a items <<< "${M_WIRES:-}"
  for item in "${items[@]}"; do
    read -r a b c <<< "$item"
    batch+="link add $a type veth peer name $c netns $1"$'\n'"link set $a master $b up"$'\n'
  done
  if [ -n "$batch" ]; then ip -batch - <<< "$batch"; fi
}

setup() {
  close_inherited_fds
  host_pid
  await_go
  # A private tmpfs in this mount namespace only: no path in a shared directory that
  # another local user could create first or redirect.
  mount -t tmpfs -o mode=755,size=1m sandlot-work "$M_WORK"
  local R=$M_WORK/root m line pid n
  mkdir "$R"
  if [ "${M_ROOT_MODE:-view}" = image ]; then
    mkdir "$M_WORK/lower" "$M_WORK/data" "$M_WORK/etc" "$M_WORK/drives"
    for ((n = 0; n < ${M_LOWERS:-1}; n++)); do mkdir "$M_WORK/lower/$n"; done
    # Mount points for the drives, made here: real root may not create files in a tmpfs of
    # the hub's user namespace (its uid has no mapping there).
    IFS=';' read -r -a items <<< "${M_DRIVES:-}"
    for item in "${items[@]}"; do mkdir "$M_WORK/drives/${item%% *}"; done
    say binds
    await_go
    # dist/sandlot-init builds the image root itself (the same steps, without processes).
    if [ -z "${M_INIT:-}" ]; then
      build_image_root "$M_WORK"
      machine_run_and_dev "$R"
    fi
  else
    build_view "$R"
    if [ -z "${M_INIT:-}" ]; then machine_run_and_dev "$R"; fi
    if [ -n "${M_AGENT_BINDS:-}" ]; then
      say binds
      await_go
    else
      bind_own_dirs "$M_DIR" "$R"
    fi
    IFS=: read -r -a masks <<< "${M_MASK:-}"
    for m in "${masks[@]}"; do
      if [ -n "$m" ] && [ -d "$R$m" ]; then
        mount -t tmpfs -o ro,size=4k,mode=000 masked "$R$m"
      fi
    done
    mount -o remount,bind,ro "$R"
  fi

  # The machine, one user namespace deeper: everything above is locked for it. Its PID 1 is
  # the agent's dist/sandlot-init when it was built (the machine role below in one
  # process, and the seccomp filter with it), else this script's machine role.
  if [ -n "${M_INIT:-}" ]; then
    coproc MACHINE { M_ROOT=$R exec -a sandlot-init "$M_INIT" machine; }
  else
    coproc MACHINE { M_ROOT=$R exec unshare --user --mount --pid --fork --uts --ipc --net --propagation private "$BASH" -c "$M_SCRIPT" sandlot-init machine; }
  fi
  read -r line <&"${MACHINE[0]}" || {
    echo "the machine's namespaces could not be made" >&2
    exit 1
  }
  pid=${line#pid }
  # Its uids are ours (identity within the hub's range); only a process of the parent
  # user namespace may write the maps.
  printf '0 0 %s\n' "$M_IDS" > "/proc/$pid/uid_map"
  printf '0 0 %s\n' "$M_IDS" > "/proc/$pid/gid_map"
  wire_machine "$pid"
  say "machine $pid"
  await_go
  say go >&"${MACHINE[1]}"
  read -r line <&"${MACHINE[0]}" || line=
  [ "$line" = ready ] || {
    echo "the machine did not come up" >&2
    exit 1
  }
  say ready
}

machine() {
  host_pid
  await_go
  # Re-executed now that the id maps exist, so the new bash is root of the namespace; under
  # the machine's seccomp filter (everything PID 1 starts inherits it) when it was built.
  if [ -n "${M_ENTER:-}" ]; then exec "$M_ENTER" --seccomp-only -- "$BASH" -c "$M_SCRIPT" sandlot-init machine-mapped; fi
  exec "$BASH" -c "$M_SCRIPT" sandlot-init machine-mapped
}

machine_mapped() {
  local R=$M_ROOT
  # Inherited mounts are locked, and pivot_root refuses a locked new root: a recursive
  # bind of the tree is a mount of our own (its submounts stay locked).
  mount --rbind "$R" "$R"
  queue_mount proc "$R/proc" proc nosuid,nodev,noexec
  # Its own terminals: the agent's shells allocate theirs here (script(1) inside), and
  # tmux, screen or expect work as on any machine. gid 5 (tty) exists only as root.
  queue_mount devpts "$R/dev/pts" devpts "newinstance,ptmxmode=0666,mode=620${M_TTY_GID:+,gid=$M_TTY_GID}"
  mount_queued "$M_WORK"
  mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$R/sys" 2> /dev/null || true
  hostname "$M_NAME"
  # The agent moved our ends of the veth pairs in (eth0, eth1, …) before saying "go".
  # M_IFACES: "ethN address/prefix" items separated by ";"; M_ROUTE: the default gateway.
  local item dev addr
  {
    echo "link set lo up"
    IFS=';' read -r -a items <<< "${M_IFACES:-}"
    for item in "${items[@]}"; do
      read -r dev addr <<< "$item"
      echo "addr add $addr dev $dev"
      echo "link set $dev up"
    done
    if [ -n "${M_ROUTE:-}" ]; then echo "route add default via $M_ROUTE"; fi
  } | ip -batch -
  # An image root's first boot (users, startup files) or a fork's new identity, read while
  # setup's work dir is still in reach; run from a descriptor after the pivot, so no copy
  # of it (it holds key pairs) is ever written in the machine.
  local boot=
  if [ -f "$M_WORK/etc/first-boot.sh" ]; then IFS= read -r -d '' boot < "$M_WORK/etc/first-boot.sh" || true; fi
  cd "$R"
  pivot_root . .
  umount -l .
  cd /
  # An image root's first boot (users, startup files) or a fork's new identity: before
  # "ready", so a machine whose first boot fails never counts as started.
  if [ -n "$boot" ]; then
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root sh /dev/fd/3 3<<< "$boot" >&2
  fi
  reap_forever
}

case "${1:-}" in
  bind)
    bind_own_dirs "$2" "$3"
    ;;
  hub)
    close_inherited_fds
    host_pid
    await_go
    # Re-executed now that the id maps exist, so the new bash is root of the namespace.
    exec "$BASH" -c "$M_SCRIPT" sandlot-init hub-mapped
    ;;
  hub-mapped) hub ;;
  setup) setup ;;
  machine) machine ;;
  machine-mapped) machine_mapped ;;
  *)
    echo "sandlot-init: unknown role ${1:-}" >&2
    exit 2
    ;;
esac
