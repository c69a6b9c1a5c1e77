// Shared by the microvm driver's tests: one image and snapshot cache for the whole run
// (content-addressed, so later runs reuse it too), and facts about leftovers on the host.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readOwnJson } from '../../../../../host-agent/util/json';

/** Image cache every microvm test (and the bench) shares: building takes a couple of minutes. */
export const VM_CACHE = process.env.SANDLOT_VM_CACHE ?? path.join(os.tmpdir(), 'sandlot-vm-cache');

/** Environment for an agent or CLI that should use the shared cache. */
export function vmEnv(): NodeJS.ProcessEnv {
  return { SANDLOT_VM_CACHE: VM_CACHE };
}

/** Pids of every process whose command line mentions `needle` (e.g. a playground's dir). */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      const state = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      if (state.slice(state.lastIndexOf(')') + 2)[0] === 'Z') continue;
      if (cmd.includes(needle)) out.push(Number(p));
    } catch {
      // ended while we looked
    }
  }
  return out;
}

/**
 * Whatever a failed test left under `home` (an agent's state directory) is killed, then
 * the directory goes: never leave a VM running on a shared host.
 */
export function removeVmHome(home: string | undefined): void {
  if (!home) return;
  for (const pid of processesMentioning(home)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  fs.rmSync(home, { recursive: true, force: true });
}

/** Pids of processes inside the network namespace `netns` (`net:[inode]`). */
export function processesInNetns(netns: string): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (fs.readlinkSync(`/proc/${p}/ns/net`) === netns) out.push(Number(p));
    } catch {
      // ended while we looked, or a kernel thread
    }
  }
  return out;
}

export interface DriverStateFile {
  net?: { pid: number; start: number };
  machines: Record<string, { vm?: { pid: number; start: number }; booted: boolean }>;
}

export function readDriverState(home: string, id: string): DriverStateFile {
  return readOwnJson<DriverStateFile>(path.join(home, 'playgrounds', id, 'driver', 'microvm.json'));
}

export const TWO_MACHINES = `kind: playground
name: vm-pair
title: Two microvm machines
playground:
  driver: microvm
  machines:
    - name: alpha
      image: linux
      users: [{ name: root, default: true }, { name: laborant }]
      resources: { cpuCount: 1, ramSize: 512Mi }
      startupFiles:
        - path: /home/laborant/hello.txt
          content: "hello from the manifest\\n"
    - name: beta
      image: linux
      resources: { cpuCount: 1, ramSize: 512Mi }
`;
