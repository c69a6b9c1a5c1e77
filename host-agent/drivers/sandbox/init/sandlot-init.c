/*
 * sandlot-init: the PID 1 of a sandbox playground's hub and of each of its machines, each
 * in one process (process starts were most of a machine's start). Where it is built, it
 * replaces machine-init.sh's `hub` role (unshare + bash, bash again once the id maps exist,
 * ip, env and bash of its own) and `machine` role (the same, plus mount, hostname,
 * pivot_root and umount); that script's other roles and its fallbacks stay as they are.
 *
 *   sandlot-init hub       started by the agent; M_BRIDGES: "name address/prefix" items
 *                          separated by ";" (address "-": a private network)
 *   sandlot-init setup HUB_PID  started by the agent: enters the hub's user and network
 *                          namespaces and a mount namespace of its own, then plays
 *                          machine-init.sh's setup role: itself for an image root
 *                          (setup_image), else that script's (in M_SCRIPT) in bash
 *   sandlot-init machine   started by the setup role of machine-init.sh (in a mount
 *                          namespace of the hub's user namespace, where the machine's
 *                          tree is built); inputs below
 *
 * Before the machine's namespaces exist it makes, for an image root, the overlay with the
 * machine's etc files and extra drives, and for every machine its own /run and /dev (tmpfs,
 * device binds, links): what the setup's bash did with mount(8), umount, mkdir and ln.
 *
 * Both speak the script's handshake on stdin/stdout: "pid N" (the new PID 1 as its starter
 * sees it), then wait for "go" (the starter has written the id maps; for a machine, also
 * plugged the veth ends in), and say "ready" once up. A machine's inputs, in its environment:
 *
 *   M_ROOT    the machine's tree (a path in the setup's mount namespace)
 *   M_WORK    the setup's private work dir (etc/first-boot.sh there, if any)
 *   M_NAME    the hostname
 *   M_IFACES  "ethN address/prefix" items separated by ";"; M_ROUTE the default gateway
 *   M_TTY_GID the gid of the machine's devpts terminals (when the machine has a tty group)
 *   M_ROOT_MODE "image": M_ROOT is still to be made (image_root below), with M_LOWERS and M_DRIVES
 *
 * The machine: its own user (nested in the hub's: everything the setup mounted is locked
 * for it), mount, pid, uts, ipc and network namespaces, the seccomp filter of
 * seccomp-filter.h (everything PID 1 starts inherits it), its own proc, sysfs and devpts,
 * and the tree as its root. An image root's first boot (users, startup files, a fork's
 * identity) runs from a memfd after the pivot: no copy of it (it holds key pairs) is ever
 * written in the machine.
 *
 * The program runs from a sealed memfd copy of itself (as runc does): the machine's root
 * can reach its PID 1's executable through /proc/1/exe, and that must never be a file of
 * the host (as a normal-user agent, machine root is the file's owner on the host). Once
 * the machine is up it re-executes itself as `sandlot-init reap` with PATH alone in its
 * environment (/proc/1/environ shows nothing of the host) and reaps orphans forever,
 * ignoring TERM, INT and HUP: only the agent's SIGKILL ends it, and the machine with it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../enter/seccomp-filter.h"

#define CLEAN_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

static _Noreturn void die(const char *what, const char *arg) {
  fprintf(stderr, "sandlot-init: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", strerror(errno));
  exit(1);
}

static _Noreturn void fail(const char *message) {
  fprintf(stderr, "sandlot-init: %s\n", message);
  exit(1);
}

static const char *need(const char *name) {
  const char *v = getenv(name);
  if (!v || !*v) {
    fprintf(stderr, "sandlot-init: %s is not set\n", name);
    exit(1);
  }
  return v;
}

static char *copy_env(const char *name) {
  const char *v = getenv(name);
  return v && *v ? strdup(v) : NULL;
}

/* Re-executes from a sealed in-memory copy of this program, unless it already runs from one. */
static void run_from_sealed_copy(char **argv) {
  char exe[64] = {0};
  if (readlink("/proc/self/exe", exe, sizeof exe - 1) > 0 && !strncmp(exe, "/memfd:", 7)) return;
  int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (src < 0) die("open", "/proc/self/exe");
  struct stat st;
  if (fstat(src, &st) != 0) die("stat", "/proc/self/exe");
  int mem = memfd_create("sandlot-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mem < 0) die("memfd_create", NULL);
  for (off_t left = st.st_size; left > 0;) {
    ssize_t n = sendfile(mem, src, NULL, (size_t)left);
    if (n <= 0) die("copy", "/proc/self/exe");
    left -= n;
  }
  close(src);
  if (fcntl(mem, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0) die("seal", NULL);
  extern char **environ;
  fexecve(mem, argv, environ);
  die("exec", "sealed copy");
}

/* One line from stdin, read a byte at a time: nothing after it may be consumed. */
static int read_line_on(int fd, char *buf, size_t len) {
  size_t n = 0;
  for (;;) {
    char c;
    ssize_t r = read(fd, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    if (c == '\n') break;
    if (n + 1 < len) buf[n++] = c;
  }
  buf[n] = 0;
  return 0;
}

/* One line of the handshake from our starter, without its newline. */
static int read_line(char *buf, size_t len) {
  return read_line_on(0, buf, len);
}

static void write_all(int fd, const char *p, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die("write", NULL);
    p += n;
    len -= (size_t)n;
  }
}

static int wait_for(pid_t pid) {
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) die("waitpid", NULL);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs `argv` with `input` on its stdin (and `fd3` as its descriptor 3 when >= 0); its stdout goes to our stderr (the init log). */
static int run(char *const argv[], const char *input, int fd3, char *const envp[]) {
  int p[2];
  if (input && pipe2(p, O_CLOEXEC) != 0) die("pipe", NULL);
  pid_t child = fork();
  if (child < 0) die("fork", NULL);
  if (child == 0) {
    if (input && dup2(p[0], 0) < 0) _exit(127);
    if (dup2(2, 1) < 0) _exit(127);
    if (fd3 >= 0 && dup2(fd3, 3) < 0) _exit(127);
    execvpe(argv[0], argv, envp);
    fprintf(stderr, "sandlot-init: %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  if (input) {
    close(p[0]);
    write_all(p[1], input, strlen(input));
    close(p[1]);
  }
  return wait_for(child);
}

/* The machine's interfaces, default route and loopback, in one `ip -batch`. */
static void configure_network(const char *ifaces, const char *route, char *const envp[]) {
  size_t cap = 64 + (ifaces ? strlen(ifaces) * 3 + 64 : 0) + (route ? strlen(route) : 0);
  char *batch = malloc(cap), *out = batch;
  if (!batch) die("malloc", NULL);
  out += sprintf(out, "link set lo up\n");
  char *items = ifaces ? strdup(ifaces) : NULL, *save = NULL;
  for (char *item = items ? strtok_r(items, ";", &save) : NULL; item; item = strtok_r(NULL, ";", &save)) {
    char dev[64], addr[128];
    if (sscanf(item, "%63s %127s", dev, addr) != 2) fail("M_IFACES: expected \"ethN address/prefix\" items");
    out += sprintf(out, "addr add %s dev %s\nlink set %s up\n", addr, dev, dev);
  }
  if (route) out += sprintf(out, "route add default via %s\n", route);
  char *argv[] = {"ip", "-batch", "-", NULL};
  if (run(argv, batch, -1, envp) != 0) fail("ip -batch failed");
  free(items);
  free(batch);
}

/* The first boot script, if the setup left one, in a memfd (read before the pivot, while the work dir is in reach). */
static int load_first_boot(const char *work) {
  char path[4096];
  snprintf(path, sizeof path, "%s/etc/first-boot.sh", work);
  int src = open(path, O_RDONLY | O_CLOEXEC);
  if (src < 0) {
    if (errno == ENOENT) return -1;
    die("open", path);
  }
  struct stat st;
  if (fstat(src, &st) != 0) die("stat", path);
  int mem = memfd_create("first-boot", MFD_CLOEXEC);
  if (mem < 0) die("memfd_create", NULL);
  for (off_t left = st.st_size; left > 0;) {
    ssize_t n = sendfile(mem, src, NULL, (size_t)left);
    if (n <= 0) die("copy", path);
    left -= n;
  }
  close(src);
  return mem;
}

static void mount_at(const char *source, const char *root, const char *path, const char *type, unsigned long flags, const char *data) {
  char target[4096];
  snprintf(target, sizeof target, "%s%s", root, path);
  if (mount(source, target, type, flags, data) != 0) die("mount on", target);
}

static void make_dir(const char *root, const char *path, mode_t mode) {
  char target[4096];
  snprintf(target, sizeof target, "%s%s", root, path);
  if (mkdir(target, mode) != 0 && errno != EEXIST) die("mkdir", target);
}

/* mkdir -p of `path` (absolute), each missing part 0755. */
static void make_dirs(const char *path) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1;; p++) {
    if (*p != '/' && *p != 0) continue;
    char c = *p;
    *p = 0;
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) die("mkdir", buf);
    *p = c;
    if (!c) break;
  }
}

/* The mount flags the kernel keeps on a bind's remount only when asked again (locked ones fail otherwise). */
static unsigned long kept_flags(const char *target) {
  struct statvfs st;
  if (statvfs(target, &st) != 0) die("statvfs", target);
  unsigned long f = 0;
  if (st.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) f |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

/*
 * An image root at `root` (setup's work dir `work`): the overlay of the idmapped image (and
 * a fork's snapshot layers above it, M_LOWERS of them, work/lower/0 the bottom) over the
 * data disk, which the agent's sandlot-image-mounts put in place; then the machine's etc
 * files and extra drives (M_DRIVES: "index mountpoint ro|rw" items separated by ";").
 */
static void image_root(const char *root, const char *work) {
  const char *n_env = getenv("M_LOWERS");
  int lowers = n_env && *n_env ? atoi(n_env) : 1;
  if (lowers < 1 || lowers > 64) fail("M_LOWERS: expected 1 to 64 layers");
  char opts[16384];
  size_t o = (size_t)snprintf(opts, sizeof opts, "lowerdir=");
  for (int n = lowers - 1; n >= 0; n--) o += (size_t)snprintf(opts + o, sizeof opts - o, "%s%s/lower/%d", n == lowers - 1 ? "" : ":", work, n);
  snprintf(opts + o, sizeof opts - o, ",upperdir=%s/data/upper,workdir=%s/data/work,userxattr", work, work);
  if (mount("sandlot-root", root, "overlay", 0, opts) != 0) die("mount overlay on", root);
  /* The overlay keeps its own hold on each layer; the attachments themselves go. */
  for (int n = 0; n < lowers; n++) {
    char layer[4096];
    snprintf(layer, sizeof layer, "%s/lower/%d", work, n);
    if (umount2(layer, MNT_DETACH) != 0) die("umount", layer);
  }
  static const char *const etc[] = {"hosts", "hostname", "resolv.conf"};
  for (unsigned i = 0; i < sizeof etc / sizeof etc[0]; i++) {
    char source[4096], target[4096];
    struct stat st;
    snprintf(source, sizeof source, "%s/etc/%s", work, etc[i]);
    if (stat(source, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    snprintf(target, sizeof target, "%s/etc/%s", root, etc[i]);
    /* A link (to /run/systemd/resolve/…) or a missing file becomes an empty file to bind over. */
    if (lstat(target, &st) != 0 || !S_ISREG(st.st_mode)) {
      if (unlink(target) != 0 && errno != ENOENT) die("unlink", target);
      int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) die("create", target);
      close(fd);
    }
    if (mount(source, target, NULL, MS_BIND, NULL) != 0) die("bind", target);
  }
  char *drives = copy_env("M_DRIVES"), *save = NULL;
  for (char *item = drives ? strtok_r(drives, ";", &save) : NULL; item; item = strtok_r(NULL, ";", &save)) {
    int index;
    char mp[2048], mode[8], source[4096], target[4096];
    if (sscanf(item, "%d %2047s %7s", &index, mp, mode) != 3 || mp[0] != '/') fail("M_DRIVES: expected \"index /mountpoint ro|rw\" items");
    snprintf(source, sizeof source, "%s/drives/%d", work, index);
    snprintf(target, sizeof target, "%s%s", root, mp);
    make_dirs(target);
    if (mount(source, target, NULL, MS_BIND, NULL) != 0) die("bind", target);
    /* Read-only right after binding, before anything runs. */
    if (!strcmp(mode, "ro") && mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags(target), NULL) != 0) die("make read-only", target);
  }
  free(drives);
}

/*
 * What every machine has of its own in /run and /dev, made here while still root of the
 * hub's user namespace (before the machine's own): these mounts are locked for the machine
 * too, so unmounting them would only uncover empty directories. The directories the
 * machine mounts its proc and sysfs on are made here as well (an image root may lack them).
 */
static void machine_run_and_dev(const char *root) {
  static const char *const top[] = {"/proc", "/sys", "/dev", "/run", "/tmp"};
  for (unsigned i = 0; i < sizeof top / sizeof top[0]; i++) {
    char target[4096];
    struct stat st;
    snprintf(target, sizeof target, "%s%s", root, top[i]);
    /* A host-view root is read-only by now and has them all. */
    if (stat(target, &st) != 0) make_dir(root, top[i], 0755);
  }
  mount_at("run", root, "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
  mount_at("dev", root, "/dev", "tmpfs", MS_NOSUID, "mode=755,size=64k");
  make_dir(root, "/dev/shm", 0755);
  mount_at("shm", root, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
  for (unsigned i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
    char host[64], target[4096];
    snprintf(host, sizeof host, "/dev/%s", nodes[i]);
    snprintf(target, sizeof target, "%s/dev/%s", root, nodes[i]);
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) die("create", target);
    close(fd);
    if (mount(host, target, NULL, MS_BIND, NULL) != 0) die("bind", host);
  }
  /* The machine's own devpts (mounted by the machine itself) holds its terminals. */
  make_dir(root, "/dev/pts", 0755);
  static const char *const links[][2] = {
      {"/proc/self/fd", "/dev/fd"}, {"pts/ptmx", "/dev/ptmx"}, {"/proc/self/fd/0", "/dev/stdin"}, {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
  };
  for (unsigned i = 0; i < sizeof links / sizeof links[0]; i++) {
    char target[4096];
    snprintf(target, sizeof target, "%s%s", root, links[i][1]);
    if (symlink(links[i][0], target) != 0) die("symlink", target);
  }
}

static void on_child(int sig) {
  (void)sig;
}

/* PID 1 once the machine runs: reaps whatever ends in it, forever. */
static _Noreturn void reap(void) {
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  struct sigaction sa = {.sa_handler = on_child, .sa_flags = SA_NOCLDSTOP};
  sigaction(SIGCHLD, &sa, NULL);
  sigset_t block, none;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &none);
  sigemptyset(&none);
  for (;;) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    sigsuspend(&none);
  }
}

/* Says "ready" to the starter, lets go of its pipes and becomes `reap` in `env` (PATH alone): the end of a hub's and a machine's start. */
static _Noreturn void become_reaper(char *const env[]) {
  write_all(1, "ready\n", 6);
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) die("open", "/dev/null");
  close(null);
  char *argv[] = {"sandlot-init", "reap", NULL};
  execve("/proc/self/exe", argv, env);
  die("exec", "reap");
}

/* The machine's PID 1 from "go" to "ready", then `reap` in a clean environment. */
static _Noreturn void machine(void) {
  char line[32];
  if (read_line(line, sizeof line) != 0 || strcmp(line, "go") != 0) exit(1);
  if (install_seccomp_filter() != 0) die("seccomp filter", NULL);
  char *root = copy_env("M_ROOT"), *work = copy_env("M_WORK"), *name = copy_env("M_NAME"), *ifaces = copy_env("M_IFACES"), *route = copy_env("M_ROUTE"),
       *tty_gid = copy_env("M_TTY_GID");
  clearenv();
  char *clean_env[] = {"PATH=" CLEAN_PATH, NULL};
  char *boot_env[] = {"PATH=" CLEAN_PATH, "HOME=/root", NULL};
  setenv("PATH", CLEAN_PATH, 1); /* execvpe searches our own PATH */

  char target[4096];
  /* Inherited mounts are locked, and pivot_root refuses a locked new root: a recursive bind
   * of the tree is a mount of our own (its submounts stay locked). */
  if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) != 0) die("bind", root);
  snprintf(target, sizeof target, "%s/proc", root);
  if (mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) die("mount proc on", target);
  /* Its own terminals: the agent's shells allocate theirs here (script(1) inside), and tmux,
   * screen or expect work as on any machine. gid 5 (tty) exists only as root. */
  char opts[128];
  snprintf(opts, sizeof opts, "newinstance,ptmxmode=0666,mode=620%s%s", tty_gid ? ",gid=" : "", tty_gid ? tty_gid : "");
  snprintf(target, sizeof target, "%s/dev/pts", root);
  if (mount("devpts", target, "devpts", 0, opts) != 0) die("mount devpts on", target);
  /* A read-only sysfs where the kernel allows one; without it the machine's /sys stays empty. */
  snprintf(target, sizeof target, "%s/sys", root);
  (void)mount("sysfs", target, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  if (sethostname(name, strlen(name)) != 0) die("sethostname", name);
  /* The setup moved our ends of the veth pairs in (eth0, eth1, …) before saying "go". */
  configure_network(ifaces, route, clean_env);
  int boot = load_first_boot(work);

  if (chdir(root) != 0) die("chdir", root);
  if (syscall(SYS_pivot_root, ".", ".") != 0) die("pivot_root", root);
  if (umount2(".", MNT_DETACH) != 0) die("umount", "the old root");
  if (chdir("/") != 0) die("chdir", "/");
  /* An image root's first boot (users, startup files) or a fork's new identity: before
   * "ready", so a machine whose first boot fails never counts as started. */
  if (boot >= 0) {
    char *argv[] = {"sh", "/dev/fd/3", NULL};
    int code = run(argv, NULL, boot, boot_env);
    close(boot);
    if (code != 0) fail("the first boot failed");
  }
  become_reaper(clean_env);
}

/* The hub's PID 1 from "go" (the agent has written its id maps) to "ready": loopback and one bridge per network. */
static _Noreturn void hub(void) {
  char line[32];
  if (read_line(line, sizeof line) != 0 || strcmp(line, "go") != 0) exit(1);
  char *bridges = copy_env("M_BRIDGES");
  clearenv();
  setenv("PATH", CLEAN_PATH, 1);
  char *clean_env[] = {"PATH=" CLEAN_PATH, NULL};
  /* M_BRIDGES: "name address/prefix" items separated by ";", address "-" for a private
   * network (nothing of the hub answers there). */
  size_t cap = 64 + (bridges ? strlen(bridges) * 4 + 256 : 0);
  char *batch = malloc(cap), *out = batch, *save = NULL;
  if (!batch) die("malloc", NULL);
  out += sprintf(out, "link set lo up\n");
  for (char *item = bridges ? strtok_r(bridges, ";", &save) : NULL; item; item = strtok_r(NULL, ";", &save)) {
    char name[32], addr[128];
    if (sscanf(item, "%31s %127s", name, addr) != 2) fail("M_BRIDGES: expected \"name address/prefix\" items");
    out += sprintf(out, "link add %s type bridge\n", name);
    if (strcmp(addr, "-") != 0) out += sprintf(out, "addr add %s dev %s\n", addr, name);
    out += sprintf(out, "link set %s up\n", name);
  }
  char *argv[] = {"ip", "-batch", "-", NULL};
  if (run(argv, batch, -1, clean_env) != 0) fail("ip -batch failed");
  become_reaper(clean_env);
}

static void write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) die("open", path);
  write_all(fd, text, strlen(text));
  close(fd);
}

/*
 * machine-init.sh's setup role for an image root, without bash and its mount, mkdir and
 * coproc processes: the work tmpfs and its mount points, "binds" (the agent puts the image
 * layers, disks and etc files there), the machine's PID 1 (sandlot-init machine), its id
 * maps, its veth ends (one `ip -batch`), "machine N", and on "go" the machine's own start.
 */
static _Noreturn void setup_image(void) {
  if (close_range(3, ~0U, 0) != 0) die("close_range", NULL);
  char line[64];
  int n = snprintf(line, sizeof line, "pid %d\n", getpid());
  write_all(1, line, (size_t)n);
  if (read_line(line, sizeof line) != 0 || strcmp(line, "go") != 0) exit(1);
  const char *work = need("M_WORK"), *init = need("M_INIT"), *ids = need("M_IDS");
  /* A private tmpfs in this mount namespace only: no path in a shared directory that
   * another local user could create first or redirect. */
  if (mount("sandlot-work", work, "tmpfs", 0, "mode=755,size=1m") != 0) die("mount tmpfs on", work);
  make_dir(work, "/root", 0755);
  make_dir(work, "/lower", 0755);
  make_dir(work, "/data", 0755);
  make_dir(work, "/etc", 0755);
  make_dir(work, "/drives", 0755);
  char sub[64];
  long lowers = getenv("M_LOWERS") ? strtol(getenv("M_LOWERS"), NULL, 10) : 1;
  for (long i = 0; i < lowers; i++) {
    snprintf(sub, sizeof sub, "/lower/%ld", i);
    make_dir(work, sub, 0755);
  }
  /* Mount points for the drives, made here: real root may not create files in a tmpfs of
   * the hub's user namespace (its uid has no mapping there). M_DRIVES: "index mount ro|rw;…". */
  char *drives = copy_env("M_DRIVES"), *save = NULL;
  for (char *item = drives ? strtok_r(drives, ";", &save) : NULL; item; item = strtok_r(NULL, ";", &save)) {
    snprintf(sub, sizeof sub, "/drives/%ld", strtol(item, NULL, 10));
    make_dir(work, sub, 0755);
  }
  write_all(1, "binds\n", 6);
  if (read_line(line, sizeof line) != 0 || strcmp(line, "go") != 0) exit(1);

  /* The machine's PID 1, talking over a pipe each way, as the script's coproc did. */
  int to[2], from[2];
  if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0) die("pipe", NULL);
  char root[4096];
  snprintf(root, sizeof root, "%s/root", work);
  if (setenv("M_ROOT", root, 1) != 0) die("setenv", "M_ROOT");
  pid_t child = fork();
  if (child < 0) die("fork", NULL);
  if (child == 0) {
    if (dup2(to[0], 0) < 0 || dup2(from[1], 1) < 0) _exit(127);
    char *argv[] = {"sandlot-init", "machine", NULL};
    execv(init, argv);
    fprintf(stderr, "sandlot-init: %s: %s\n", init, strerror(errno));
    _exit(127);
  }
  close(to[0]);
  close(from[1]);
  if (read_line_on(from[0], line, sizeof line) != 0 || strncmp(line, "pid ", 4) != 0) fail("the machine's namespaces could not be made");
  pid_t machine_pid = (pid_t)strtol(line + 4, NULL, 10);
  /* Its uids are ours (identity within the hub's range); only a process of the parent user
   * namespace may write the maps. */
  char path[64], map[64];
  snprintf(map, sizeof map, "0 0 %s\n", ids);
  snprintf(path, sizeof path, "/proc/%d/uid_map", machine_pid);
  write_file(path, map);
  snprintf(path, sizeof path, "/proc/%d/gid_map", machine_pid);
  write_file(path, map);
  /* M_WIRES: "hubSide bridge inMachine" items separated by ";": one veth pair each, its
   * machine end moved into the machine's network namespace, its hub end on the bridge. */
  char *wires = copy_env("M_WIRES");
  if (wires && *wires) {
    size_t cap = strlen(wires) * 3 + 256;
    char *batch = malloc(cap), *out = batch;
    if (!batch) die("malloc", NULL);
    *out = 0;
    save = NULL;
    for (char *item = strtok_r(wires, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
      char a[32], b[32], c[32];
      if (sscanf(item, "%31s %31s %31s", a, b, c) != 3) fail("M_WIRES: expected \"hubSide bridge inMachine\" items");
      out += sprintf(out, "link add %s type veth peer name %s netns %d\nlink set %s master %s up\n", a, c, machine_pid, a, b);
    }
    char *argv[] = {"ip", "-batch", "-", NULL};
    char *env[] = {"PATH=" CLEAN_PATH, NULL};
    if (run(argv, batch, -1, env) != 0) fail("ip -batch failed (the machine's network links)");
    free(batch);
  }
  n = snprintf(line, sizeof line, "machine %d\n", machine_pid);
  write_all(1, line, (size_t)n);
  if (read_line(line, sizeof line) != 0 || strcmp(line, "go") != 0) exit(1);
  write_all(to[1], "go\n", 3);
  if (read_line_on(from[0], line, sizeof line) != 0 || strcmp(line, "ready") != 0) fail("the machine did not come up");
  write_all(1, "ready\n", 6);
  exit(0);
}

/*
 * `sandlot-init setup HUB_PID`: what `nsenter -t HUB_PID -U -n -- unshare --mount
 * --propagation private` did in two processes: root of the hub's user namespace (a root
 * agent becomes its uid 0, a normal user keeps its credentials, as nsenter's
 * --preserve-credentials), in the hub's network namespace and a mount namespace of its own;
 * then machine-init.sh's setup role (M_SCRIPT) in bash.
 */
static _Noreturn void setup(const char *hub_pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%s/ns/user", hub_pid);
  int user = open(path, O_RDONLY | O_CLOEXEC);
  if (user < 0) die("open", path);
  snprintf(path, sizeof path, "/proc/%s/ns/net", hub_pid);
  int net = open(path, O_RDONLY | O_CLOEXEC);
  if (net < 0) die("open", path);
  /* Real root keeps its powers for the network namespace by entering the user namespace
   * last; a normal user needs it first to gain any. */
  int root = geteuid() == 0;
  if (!root && setns(user, CLONE_NEWUSER) != 0) die("enter the hub's user namespace", NULL);
  if (setns(net, CLONE_NEWNET) != 0) die("enter the hub's network namespace", NULL);
  if (root) {
    if (setns(user, CLONE_NEWUSER) != 0) die("enter the hub's user namespace", NULL);
    if (setgroups(0, NULL) != 0 || setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) die("become the hub's root", NULL);
  }
  close(user);
  close(net);
  if (unshare(CLONE_NEWNS) != 0) die("unshare", NULL);
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) die("make mounts private", NULL);
  const char *mode = getenv("M_ROOT_MODE");
  if (mode && !strcmp(mode, "image")) setup_image();
  const char *script = getenv("M_SCRIPT");
  if (!script) fail("M_SCRIPT is not set");
  char *argv[] = {"bash", "-c", (char *)script, "sandlot-init", "setup", NULL};
  execvp("bash", argv);
  die("exec", "bash");
}

int main(int argc, char **argv) {
  prctl(PR_SET_NAME, "sandlot-init");
  const char *role = argc > 1 ? argv[1] : "";
  if (!strcmp(role, "reap")) reap();
  if (!strcmp(role, "setup") && argc == 3) setup(argv[2]);
  int is_hub = !strcmp(role, "hub");
  if (argc != 2 || (!is_hub && strcmp(role, "machine") != 0)) {
    fprintf(stderr, "usage: sandlot-init hub|machine|setup HUB_PID (inputs in M_* variables, see its source)\n");
    return 2;
  }
  run_from_sealed_copy(argv);
  /* Descriptors the agent or the setup may have inherited must not reach a machine. */
  if (close_range(3, ~0U, 0) != 0) die("close_range", NULL);
  if (is_hub) {
    /* Its own pid namespace: killing its PID 1 ends every process of the hub. */
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID) != 0) die("unshare", NULL);
  } else {
    need("M_ROOT");
    need("M_WORK");
    need("M_NAME");
    const char *mode = getenv("M_ROOT_MODE");
    if (mode && !strcmp(mode, "image")) image_root(getenv("M_ROOT"), getenv("M_WORK"));
    machine_run_and_dev(getenv("M_ROOT"));
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET) != 0) die("unshare", NULL);
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) die("make mounts private", NULL);
  }
  pid_t pid = fork();
  if (pid < 0) die("fork", NULL);
  if (pid == 0) {
    if (is_hub) hub();
    machine();
  }
  /* Outside the new pid namespace: say its PID 1, then wait for it as unshare(1) does. */
  char line[32];
  int n = snprintf(line, sizeof line, "pid %d\n", pid);
  write_all(1, line, (size_t)n);
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    close(null);
  }
  return wait_for(pid);
}
