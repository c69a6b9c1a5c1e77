// A playground's network: a network namespace held open by a tiny detached process,
// with a bridge (the agent's own address on it) and one tap device per machine. QEMU
// runs inside the namespace and opens its tap there; nothing is plugged into the host's
// interfaces. Every playground has its own namespace, so they can all use one subnet.
// When the holder and the playground's QEMUs are gone, the kernel removes the namespace
// and every device in it.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { AGENT_IS_ROOT, netEnterArgs } from '../../netns/enter';
import { runAsync } from '../sandbox/namespaces';
import { isAlive, processStartTime } from '../../util/proc';

export const SUBNET = '10.89.0';
export const BRIDGE = 'br0';

export interface Holder {
  pid: number;
  start: number;
}

/** Address of machine `index` (from its position in the manifest). */
export function machineAddress(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > 200) throw new Error(`microvm: machine index ${index} outside 0-200`);
  return `${SUBNET}.${10 + index}`;
}

export function tapName(index: number): string {
  return `tap${index}`;
}

/** The shell that makes the bridge and taps (idempotent: `start` after a partial failure). */
export function networkScript(taps: string[]): string {
  const lines = [
    'set -e',
    'ip link set lo up',
    `ip link show ${BRIDGE} >/dev/null 2>&1 || ip link add ${BRIDGE} type bridge`,
    `ip addr replace ${SUBNET}.1/24 dev ${BRIDGE}`,
    `ip link set ${BRIDGE} up`,
  ];
  for (const t of taps) {
    lines.push(`ip link show ${t} >/dev/null 2>&1 || ip tuntap add dev ${t} mode tap`, `ip link set ${t} master ${BRIDGE} up`);
  }
  return lines.join('\n');
}

/** `nsenter` prefix that runs a command inside the holder's network namespace. */
export function enterArgs(holder: Holder): string[] {
  return [...netEnterArgs(holder.pid), '--'];
}

export function holderAlive(h: Holder | undefined): h is Holder {
  return !!h && isAlive(h.pid, h.start);
}

/** Starts the holder in a new network namespace and sets up the bridge and taps. */
export async function startNetwork(taps: string[]): Promise<Holder> {
  const ours = fs.readlinkSync('/proc/self/ns/net');
  // As a normal user the namespace needs a user namespace of its own to be configurable.
  const unshare = AGENT_IS_ROOT ? ['unshare', '--net', '--'] : ['unshare', '--user', '--map-root-user', '--net', '--'];
  const child = spawn(unshare[0], [...unshare.slice(1), 'sleep', 'infinity'], { detached: true, stdio: 'ignore' });
  child.unref();
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`microvm network: cannot run unshare: ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`microvm network: unshare exited (${code}) before the namespace was up`)));
    const deadline = Date.now() + 5000;
    const poll = () => {
      try {
        // unshare execs sleep in the new namespace: its netns link changes at that moment.
        if (child.pid && fs.readlinkSync(`/proc/${child.pid}/ns/net`) !== ours) return resolve(child.pid);
      } catch {
        // not there yet
      }
      if (Date.now() > deadline) return reject(new Error('microvm network: the namespace holder did not start in 5 s'));
      setTimeout(poll, 10);
    };
    poll();
  });
  child.removeAllListeners('exit');
  const holder = { pid, start: processStartTime(pid)! };
  try {
    await runAsync([...enterArgs(holder), 'sh', '-c', networkScript(taps)]);
  } catch (err) {
    stopHolder(holder);
    throw new Error(`microvm network: ${(err as Error).message}`);
  }
  return holder;
}

/** Adds taps to a running namespace (machines started after a partial failure). */
export function ensureTaps(holder: Holder, taps: string[]): Promise<void> {
  return runAsync([...enterArgs(holder), 'sh', '-c', networkScript(taps)]);
}

export function stopHolder(h: Holder | undefined): void {
  if (!h || !isAlive(h.pid, h.start)) return;
  try {
    process.kill(h.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The namespace's identity (`net:[inode]`), to check that it is gone after destroy. */
export function namespaceId(h: Holder): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${h.pid}/ns/net`);
  } catch {
    return undefined;
  }
}
