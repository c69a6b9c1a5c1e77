// A playground's networks: a network namespace held open by a tiny detached process,
// with one bridge per playground network (holding the network's gateway address: the
// agent's relay reaches machines from there, and it is where non-private networks leave
// through the namespace's uplink) and one tap per machine interface. QEMU runs inside the
// namespace and opens its taps there; nothing is plugged into the host's interfaces but
// the uplink (netns/uplink.ts). Every playground has its own namespace, so they can all
// use the subnets their manifests ask for. When the holder and the playground's QEMUs are
// gone, the kernel removes the namespace and every device in it.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { AGENT_IS_ROOT, netEnterArgs } from '../../netns/enter';
import type { UplinkRecord } from '../../netns/uplink';
import { isAlive, processStartTime } from '../../util/proc';
import { errorMessage } from '../../util/errors';
import { runCommand, SYSTEM_PATH_ENV } from '../../util/run-command';
import type { MachineSpec, PlaygroundSpec } from '../protocol';

export interface Holder {
  pid: number;
  start: number;
  /** The namespace's way out, when one was made (non-private networks only). */
  uplink?: UplinkRecord;
}

/** The bridge of the playground's network at `index` (its position in spec.networks). */
export function bridgeName(index: number): string {
  return `br${index}`;
}

/** The tap of interface `itf` (eth0 → 0) of machine `index`; fits IFNAMSIZ for 5 machines × 24 interfaces. */
export function tapName(machineIndex: number, interfaceIndex: number): string {
  if (!Number.isInteger(machineIndex) || machineIndex < 0 || machineIndex > 200) throw new Error(`microvm: machine index ${machineIndex} outside 0-200`);
  return `tap${machineIndex}i${interfaceIndex}`;
}

/** The bridges (with their private flag) and taps a playground needs. */
export function networkPlan(spec: Pick<PlaygroundSpec, 'networks' | 'machines'>): {
  bridges: { name: string; address: string; private: boolean }[];
  taps: { name: string; bridge: string }[];
} {
  const bridgeOf = new Map(spec.networks.map((n, i) => [n.name, bridgeName(i)]));
  return {
    bridges: spec.networks.map((n, i) => ({ name: bridgeName(i), address: `${n.gateway}/${n.subnet.split('/')[1]}`, private: n.private })),
    taps: spec.machines.flatMap((m) => m.interfaces.map((itf, k) => ({ name: tapName(m.index, k), bridge: bridgeOf.get(itf.network)! }))),
  };
}

/** The shell that makes the bridges and taps (idempotent: `start` after a partial failure). */
export function networkScript(plan: ReturnType<typeof networkPlan>): string {
  const lines = ['set -e', 'ip link set lo up'];
  for (const b of plan.bridges) {
    lines.push(
      `ip link show ${b.name} >/dev/null 2>&1 || ip link add ${b.name} type bridge`,
      `ip addr replace ${b.address} dev ${b.name}`,
      `ip link set ${b.name} up`,
    );
  }
  for (const t of plan.taps) {
    lines.push(`ip link show ${t.name} >/dev/null 2>&1 || ip tuntap add dev ${t.name} mode tap`, `ip link set ${t.name} master ${t.bridge} up`);
  }
  return lines.join('\n');
}

/** The address the agent reaches a machine at: its first interface's. */
export function machineAddress(m: MachineSpec): string {
  const itf = m.interfaces[0];
  if (!itf) throw new Error(`microvm: machine ${m.name} has no network interface`);
  return itf.address;
}

/** `nsenter` prefix that runs a command inside the holder's network namespace. */
export function enterArgs(holder: Holder): string[] {
  return [...netEnterArgs(holder.pid), '--'];
}

export function holderAlive(h: Holder | undefined): h is Holder {
  return !!h && isAlive(h.pid, h.start);
}

/** Starts the holder in a new network namespace and sets up the bridges and taps. */
export async function startNetwork(plan: ReturnType<typeof networkPlan>): Promise<Holder> {
  const ours = fs.readlinkSync('/proc/self/ns/net');
  // As a normal user the namespace needs a user namespace of its own to be configurable.
  const unshare = AGENT_IS_ROOT ? ['unshare', '--net', '--'] : ['unshare', '--user', '--map-root-user', '--net', '--'];
  const child = spawn(unshare[0], [...unshare.slice(1), 'sleep', 'infinity'], { detached: true, stdio: 'ignore' });
  child.unref();
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`microvm network: cannot run unshare: ${err.message}`, { cause: err })));
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
  const holder: Holder = { pid, start: processStartTime(pid)! };
  try {
    const [enter, ...args] = enterArgs(holder);
    await runCommand(enter, [...args, 'sh', '-c', networkScript(plan)], { env: SYSTEM_PATH_ENV });
  } catch (err) {
    stopHolder(holder);
    throw new Error(`microvm network: ${errorMessage(err)}`, { cause: err });
  }
  return holder;
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
