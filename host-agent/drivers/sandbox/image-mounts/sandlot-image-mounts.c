/*
 * sandlot-image-mounts: puts an image-root machine's files in place inside its setup's
 * mount namespace, in one process (it replaced nsenter + bash + mount + chown and a
 * python3 helper: process starts were most of a machine's start).
 *
 *   sandlot-image-mounts --userns PID --mntns PID --owner UID
 *       [--image SOURCE TARGET]... [--disk FILE FSTYPE TARGET]... [--bind SOURCE TARGET]... [--mkdir DIR]...
 *
 * --image  a read-only, nodev, idmapped view of SOURCE (an image's rootfs, owned by ids
 *          0-65535 on the host): the user namespace of USERNS PID (the playground's hub)
 *          gives the mapping, so the files appear owned by the machine's own ids and the
 *          image itself is never written.
 * --disk   FILE (a machine's data disk or extra drive, FSTYPE ext2/3/4) on a loop device
 *          that goes away with the mount, nosuid and nodev; its root is handed to UID (the
 *          machine's root on the host).
 * --bind   SOURCE bound as it is.
 * --mkdir  DIR made (if missing) after the mounts, owned by UID: the overlay's upper and
 *          work directories on the data disk.
 *
 * SOURCEs and FILEs are the host's paths, opened before entering MNTNS PID's mount
 * namespace; TARGETs are paths there. Needs real root: only it may make idmapped mounts
 * and loop devices. Exits non-zero with one line on stderr at the first failure (the
 * agent then kills the setup, and the mount namespace goes with it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_ITEMS 64

static void die(const char *what, const char *arg) {
  fprintf(stderr, "sandlot-image-mounts: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", strerror(errno));
  exit(1);
}

static int open_tree_clone(const char *source) {
  int fd = (int)syscall(SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (fd < 0) die("open_tree", source);
  return fd;
}

/* A loop device backed by `file` (opened here, in the host's mount namespace), freed by
 * the kernel once nothing uses it (LO_FLAGS_AUTOCLEAR, as mount -o loop does). */
static int attach_loop(const char *file, char *dev, size_t devlen) {
  int img = open(file, O_RDWR | O_CLOEXEC);
  if (img < 0) die("open", file);
  int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
  if (ctl < 0) die("open", "/dev/loop-control");
  for (int attempt = 0; attempt < 16; attempt++) {
    int n = ioctl(ctl, LOOP_CTL_GET_FREE);
    if (n < 0) die("LOOP_CTL_GET_FREE", NULL);
    snprintf(dev, devlen, "/dev/loop%d", n);
    int loop = open(dev, O_RDWR | O_CLOEXEC);
    if (loop < 0) die("open", dev);
    struct loop_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.fd = (unsigned)img;
    cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
    if (ioctl(loop, LOOP_CONFIGURE, &cfg) == 0) {
      close(img);
      close(ctl);
      return loop;
    }
    /* Another process took this device between GET_FREE and CONFIGURE: take the next. */
    if (errno != EBUSY) die("LOOP_CONFIGURE", dev);
    close(loop);
  }
  errno = EBUSY;
  die("no free loop device for", file);
  return -1;
}

struct item {
  enum { IMAGE, DISK, BIND, MKDIR } kind;
  const char *source, *fstype, *target;
  int fd;           /* IMAGE, BIND: the detached tree; DISK: the loop device (held until exit) */
  char dev[32];     /* DISK */
};

int main(int argc, char **argv) {
  const char *userns_pid = NULL, *mntns_pid = NULL;
  long owner = -1;
  struct item items[MAX_ITEMS];
  int n = 0;
  for (int i = 1; i < argc; i++) {
    if (n >= MAX_ITEMS) {
      fprintf(stderr, "sandlot-image-mounts: more than %d mounts\n", MAX_ITEMS);
      return 2;
    }
    if (i + 1 < argc && !strcmp(argv[i], "--userns")) {
      userns_pid = argv[++i];
    } else if (i + 1 < argc && !strcmp(argv[i], "--mntns")) {
      mntns_pid = argv[++i];
    } else if (i + 1 < argc && !strcmp(argv[i], "--owner")) {
      owner = strtol(argv[++i], NULL, 10);
    } else if (i + 2 < argc && !strcmp(argv[i], "--image")) {
      items[n++] = (struct item){.kind = IMAGE, .source = argv[i + 1], .target = argv[i + 2]};
      i += 2;
    } else if (i + 3 < argc && !strcmp(argv[i], "--disk")) {
      items[n++] = (struct item){.kind = DISK, .source = argv[i + 1], .fstype = argv[i + 2], .target = argv[i + 3]};
      i += 3;
    } else if (i + 1 < argc && !strcmp(argv[i], "--mkdir")) {
      items[n++] = (struct item){.kind = MKDIR, .target = argv[++i]};
    } else if (i + 2 < argc && !strcmp(argv[i], "--bind")) {
      items[n++] = (struct item){.kind = BIND, .source = argv[i + 1], .target = argv[i + 2]};
      i += 2;
    } else {
      fprintf(stderr, "sandlot-image-mounts: unknown or incomplete argument %s\n", argv[i]);
      return 2;
    }
  }
  if (!userns_pid || !mntns_pid || owner < 0) {
    fprintf(stderr, "usage: sandlot-image-mounts --userns PID --mntns PID --owner UID [--image SRC DST]... [--disk FILE FSTYPE DST]... [--bind SRC DST]... [--mkdir DIR]...\n");
    return 2;
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/%s/ns/user", userns_pid);
  int userns = open(path, O_RDONLY | O_CLOEXEC);
  if (userns < 0) die("open", path);
  snprintf(path, sizeof path, "/proc/%s/ns/mnt", mntns_pid);
  int mntns = open(path, O_RDONLY | O_CLOEXEC);
  if (mntns < 0) die("open", path);

  /* Everything of the host is opened while still in the host's mount namespace. Detached
   * clones belong to no namespace yet: they are changed before anyone can see them. */
  for (int k = 0; k < n; k++) {
    struct item *it = &items[k];
    if (it->kind == MKDIR) continue;
    if (it->kind == DISK) {
      it->fd = attach_loop(it->source, it->dev, sizeof it->dev);
      continue;
    }
    it->fd = open_tree_clone(it->source);
    if (it->kind == IMAGE) {
      struct mount_attr attr;
      memset(&attr, 0, sizeof attr);
      attr.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV;
      attr.userns_fd = (unsigned)userns;
      if (syscall(SYS_mount_setattr, it->fd, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0) die("mount_setattr (idmap)", it->source);
    }
  }

  if (setns(mntns, CLONE_NEWNS) != 0) die("setns (mount)", NULL);
  if (chdir("/") != 0) die("chdir", "/");
  for (int k = 0; k < n; k++) {
    struct item *it = &items[k];
    if (it->kind == MKDIR) {
      if (mkdir(it->target, 0755) != 0 && errno != EEXIST) die("mkdir", it->target);
      /* lchown: real root never follows a link it finds on a machine's disk. */
      if (lchown(it->target, (uid_t)owner, (gid_t)owner) != 0) die("chown", it->target);
    } else if (it->kind == DISK) {
      if (mount(it->dev, it->target, it->fstype, MS_NOSUID | MS_NODEV, NULL) != 0) die("mount", it->source);
      /* Disks come formatted by root: the machine's root gets its own file system. */
      if (chown(it->target, (uid_t)owner, (gid_t)owner) != 0) die("chown", it->target);
    } else if (syscall(SYS_move_mount, it->fd, "", AT_FDCWD, it->target, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
      die("move_mount", it->target);
    }
  }
  return 0;
}
