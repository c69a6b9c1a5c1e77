// Entering network namespaces from the agent: shared by the sandbox driver (a machine's
// namespace) and the microvm driver (a playground's namespace with its bridge and taps).

/** Whether the agent runs as real root (it then gives machines an unprivileged uid range). */
export const AGENT_IS_ROOT = process.getuid?.() === 0;

/** Enter only the network namespace of process `pid` (for opening TCP connections inside it). */
export function netEnterArgs(pid: number): string[] {
  // Root may join a descendant's network namespace without its user namespace; it then
  // keeps read access to node and the relay on the host.
  return AGENT_IS_ROOT ? ['nsenter', '-t', String(pid), '-n'] : ['nsenter', '-t', String(pid), '-U', '-n', '--preserve-credentials'];
}
