#!/usr/bin/python3
# Attaches a read-only, idmapped view of a directory inside another process's mount
# namespace: the files of an image root (owned by ids 0-65535 on the host) appear owned
# by the machine's own ids, so the machine's root can change them through its overlay,
# while the image itself is never written and nothing of the host is mapped.
#
#   idmap-mount.py USERNS_PID MNTNS_PID SOURCE TARGET
#
# USERNS_PID's user namespace gives the mapping (the playground's hub); TARGET is a path
# in MNTNS_PID's mount namespace (the machine's setup). Needs real root: only it may
# make idmapped mounts of the host's file systems. Node has no way to call open_tree,
# mount_setattr and move_mount, hence these few lines of Python (Debian's python3).
import ctypes
import os
import sys

SYS_OPEN_TREE = 428
SYS_MOVE_MOUNT = 429
SYS_MOUNT_SETATTR = 442
OPEN_TREE_CLONE = 1
OPEN_TREE_CLOEXEC = 0o2000000
AT_FDCWD = -100
AT_EMPTY_PATH = 0x1000
MOVE_MOUNT_F_EMPTY_PATH = 0x4
MOUNT_ATTR_RDONLY = 0x1
MOUNT_ATTR_NOSUID = 0x2
MOUNT_ATTR_NODEV = 0x4
MOUNT_ATTR_IDMAP = 0x100000
CLONE_NEWNS = 0x00020000


class MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64), ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def check(result, what):
    if result < 0:
        err = ctypes.get_errno()
        sys.stderr.write(f"idmap-mount: {what}: {os.strerror(err)}\n")
        sys.exit(1)
    return result


def main():
    if len(sys.argv) != 5:
        sys.stderr.write("usage: idmap-mount.py USERNS_PID MNTNS_PID SOURCE TARGET\n")
        sys.exit(2)
    userns_pid, mntns_pid, source, target = sys.argv[1:]
    userns = os.open(f"/proc/{int(userns_pid)}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    mntns = os.open(f"/proc/{int(mntns_pid)}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    # The clone is detached (no namespace yet): it can be changed before anyone sees it.
    tree = check(libc.syscall(SYS_OPEN_TREE, AT_FDCWD, source.encode(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC), f"open_tree {source}")
    attr = MountAttr(MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV, 0, 0, userns)
    check(libc.syscall(SYS_MOUNT_SETATTR, tree, b"", AT_EMPTY_PATH, ctypes.byref(attr), ctypes.sizeof(attr)), "mount_setattr (idmap)")
    check(libc.setns(mntns, CLONE_NEWNS), "setns (mount)")
    os.chdir("/")
    check(libc.syscall(SYS_MOVE_MOUNT, tree, b"", AT_FDCWD, target.encode(), MOVE_MOUNT_F_EMPTY_PATH), f"move_mount {target}")


main()
