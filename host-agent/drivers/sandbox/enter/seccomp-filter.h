/*
 * The seccomp filter of every sandbox machine process, shared by sandlot-enter (processes
 * the agent starts in a machine) and sandlot-init (the machine's PID 1, which
 * everything else of the machine inherits it from).
 *
 * It refuses (EPERM) system calls a playground machine has no use for and that are a
 * large share of the kernel's attack surface from inside user namespaces: kernel
 * keyrings, BPF, userfaultfd, perf events, io_uring, module and kexec loading,
 * open_by_handle_at, swap, syslog, acct, iopl/ioperm; and any call made through another
 * ABI than x86-64 (32-bit and x32 entry points). Everything else is allowed: the user
 * namespace and the missing host capabilities remain the real boundary.
 */
#ifndef SANDLOT_SECCOMP_FILTER_H
#define SANDLOT_SECCOMP_FILTER_H

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#ifndef __x86_64__
#error "the sandbox machines' seccomp filter is written for x86-64"
#endif

static const int sandlot_denied_calls[] = {
    SYS_keyctl,        SYS_add_key,       SYS_request_key,   SYS_bpf,          SYS_userfaultfd,   SYS_perf_event_open,
    SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register, SYS_init_module, SYS_finit_module, SYS_delete_module,
    SYS_kexec_load,    SYS_kexec_file_load, SYS_open_by_handle_at, SYS_swapon,   SYS_swapoff,       SYS_syslog,
    SYS_acct,          SYS_iopl,          SYS_ioperm,        SYS_lookup_dcookie, SYS_quotactl,     SYS_nfsservctl,
};

/* Installs the filter on the calling thread (and so on everything it starts); 0 or -1 with errno. */
static int install_seccomp_filter(void) {
  enum { N = sizeof(sandlot_denied_calls) / sizeof(sandlot_denied_calls[0]) };
  struct sock_filter prog[N + 8];
  int i = 0;
  prog[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
  prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
  prog[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  /* x32 system calls share the arch value; they have bit 30 set. */
  prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, N + 1, 0);
  for (int k = 0; k < N; k++) prog[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)sandlot_denied_calls[k], N - k, 0);
  prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  prog[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
  struct sock_fprog fprog = {.len = (unsigned short)i, .filter = prog};
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog);
}

#endif
