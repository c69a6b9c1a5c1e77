/*
 * sandlot-enter: runs a command inside a sandbox machine, the way every process the agent
 * starts there (shells, commands, sftp-server) gets in. Does in one process what
 * nsenter(1), a cgroup-joining shell and setpriv(1) did in three, and what none of them
 * does: a seccomp filter, installed while still root of the machine's user namespace (so
 * no_new_privs is not needed and sudo keeps working), and no descriptor above 2 left open.
 *
 *   sandlot-enter --pid PID --uid UID --gid GID --cwd DIR [--cgroup DIR]... -- CMD ARG...
 *
 * PID is the machine's PID 1 (its user, mount, pid, uts, ipc and network namespaces are
 * entered); UID/GID are inside the machine. The machine's own PID 1 installs the same
 * filter itself (init/sandlot-init.c), or, where that was not built, gets it through
 * `sandlot-enter --seccomp-only -- CMD` from machine-init.sh.
 *
 * The filter (seccomp-filter.h) refuses system calls a playground machine has no use for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sched.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp-filter.h"

static void die(const char *what) {
  fprintf(stderr, "sandlot-enter: %s: %s\n", what, strerror(errno));
  exit(127);
}

static void install_filter(void) {
  if (install_seccomp_filter() != 0) die("seccomp filter");
}

static pid_t child;

static void forward(int sig) {
  if (child > 0) kill(child, sig);
}

/* A cgroup v2 directory the child is created in (clone3 CLONE_INTO_CGROUP), or -1. */
static int v2_cgroup = -1;

/*
 * Joins a machine's cgroup without the cost of a migration by pid. Writing a pid to
 * cgroup.procs takes the kernel's global threadgroup lock for writing, which waits for an
 * RCU grace period (10-20 ms on an idle host) on every shell and command. A v1 hierarchy
 * moves the calling thread for "0" written to `tasks` without that lock, and this process
 * has one thread, so that is the whole process. A v2 cgroup has no such file: the child
 * is made inside it instead (CLONE_INTO_CGROUP), which is a fork, not a migration.
 * A vanished cgroup loses the limit, never the shell.
 */
static void join_cgroup(const char *dir) {
  char file[4096];
  snprintf(file, sizeof file, "%s/tasks", dir);
  int fd = open(file, O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    (void)!write(fd, "0", 1);
    close(fd);
    return;
  }
  if (v2_cgroup < 0) v2_cgroup = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* fork(), into the v2 cgroup when there is one; where clone3 cannot (an older kernel, a
 * cgroup that went away), the cgroup is joined by pid first, as before. */
static pid_t fork_into_cgroup(void) {
  if (v2_cgroup < 0) return fork();
  struct clone_args args = {.flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)v2_cgroup};
  long r = syscall(SYS_clone3, &args, sizeof args);
  if (r >= 0) return (pid_t)r;
  int procs = openat(v2_cgroup, "cgroup.procs", O_WRONLY | O_CLOEXEC);
  if (procs >= 0) {
    char pid[24];
    int n = snprintf(pid, sizeof pid, "%d\n", getpid());
    (void)!write(procs, pid, (size_t)n);
    close(procs);
  }
  return fork();
}

static int open_ns(const char *pid, const char *ns) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%s/ns/%s", pid, ns);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(path);
  return fd;
}

static void enter(int fd, int nstype, const char *what) {
  if (setns(fd, nstype) != 0) die(what);
  close(fd);
}

int main(int argc, char **argv) {
  const char *pid = NULL, *cwd = "/";
  long uid = 0, gid = 0;
  int seccomp_only = 0, i = 1;
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "--")) {
      i++;
      break;
    } else if (!strcmp(argv[i], "--seccomp-only")) {
      seccomp_only = 1;
    } else if (i + 1 < argc && !strcmp(argv[i], "--pid")) {
      pid = argv[++i];
    } else if (i + 1 < argc && !strcmp(argv[i], "--uid")) {
      uid = strtol(argv[++i], NULL, 10);
    } else if (i + 1 < argc && !strcmp(argv[i], "--gid")) {
      gid = strtol(argv[++i], NULL, 10);
    } else if (i + 1 < argc && !strcmp(argv[i], "--cwd")) {
      cwd = argv[++i];
    } else if (i + 1 < argc && !strcmp(argv[i], "--cgroup")) {
      /* Joined from the host side, before the namespaces: the path is the host's. */
      join_cgroup(argv[++i]);
    } else {
      fprintf(stderr, "sandlot-enter: unknown argument %s\n", argv[i]);
      return 127;
    }
  }
  if (i >= argc) {
    fprintf(stderr, "usage: sandlot-enter (--pid PID --uid UID --gid GID --cwd DIR [--cgroup DIR]... | --seccomp-only) -- CMD ARG...\n");
    return 127;
  }
  if (seccomp_only) {
    install_filter();
    execvp(argv[i], argv + i);
    die(argv[i]);
  }
  if (!pid) die("--pid is required");
  /* Real root keeps its powers for the other namespaces by entering the user namespace
   * last; a normal user needs it first to gain any. */
  int root = geteuid() == 0;
  /* All opened first: once in the machine's mount namespace, /proc is the machine's. */
  int user = open_ns(pid, "user"), ipc = open_ns(pid, "ipc"), uts = open_ns(pid, "uts"), net = open_ns(pid, "net"), pidns = open_ns(pid, "pid"),
      mnt = open_ns(pid, "mnt");
  if (!root) enter(user, CLONE_NEWUSER, "user namespace");
  enter(ipc, CLONE_NEWIPC, "ipc namespace");
  enter(uts, CLONE_NEWUTS, "uts namespace");
  enter(net, CLONE_NEWNET, "network namespace");
  enter(pidns, CLONE_NEWPID, "pid namespace");
  enter(mnt, CLONE_NEWNS, "mount namespace");
  if (root) enter(user, CLONE_NEWUSER, "user namespace");
  install_filter();
  child = fork_into_cgroup();
  if (child < 0) die("fork");
  if (child == 0) {
    if (root) {
      /* The user's groups as the machine's own /etc/group lists them (sudo, docker, …). */
      gid_t g = (gid_t)gid;
      struct passwd *pw = getpwuid((uid_t)uid);
      if (pw ? initgroups(pw->pw_name, g) != 0 : setgroups(1, &g) != 0) die("setgroups");
      if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) != 0) die("setgid");
      if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0) die("setuid");
    }
    if (chdir(cwd) != 0 && chdir("/") != 0) die("chdir");
    if (close_range(3, ~0U, 0) != 0) die("close_range");
    execvp(argv[i], argv + i);
    die(argv[i]);
  }
  /* The parent stays outside the machine's pid namespace and only relays: signals in,
   * the exit status out. */
  /* Terminal signals (SIGINT, SIGWINCH) reach the child through its terminal already. */
  int forwarded[] = {SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  for (unsigned k = 0; k < sizeof forwarded / sizeof forwarded[0]; k++) signal(forwarded[k], forward);
  int status;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) die("waitpid");
  if (WIFSIGNALED(status)) {
    signal(WTERMSIG(status), SIG_DFL);
    raise(WTERMSIG(status));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 127;
}
