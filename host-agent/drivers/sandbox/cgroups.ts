// CPU and memory limits of sandbox machines: one cgroup per machine, on cgroup v2 where
// the unified hierarchy offers cpu+memory to us, else on the v1 cpu and memory
// hierarchies, else none (the playground still starts; the agent says why once).
//
// Where the cgroups go: on v1, under the agent's own cgroup of each hierarchy
// (`<own>/sandlot/<playground>/<machine>`), so machines stay inside whatever limits the
// host put on the agent. v2 forbids processes in a cgroup whose controllers are handed
// down, so there the parent is `sandlot/` at the top of the tree (a root agent), or, when
// the agent runs in a delegated cgroup of its own, that cgroup after the agent has moved
// itself into a leaf beside the machines' parent.
import { errorCode, errorMessage } from '../../util/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CGROUP_ROOT = '/sys/fs/cgroup';
/** CFS period: 100 ms, the kernel's default; the quota is cpuCount periods per period. */
export const CPU_PERIOD_US = 100_000;
/** Enough for any shell work; stops a fork bomb from taking the host's PID space. */
export const MACHINE_PIDS_MAX = 4096;

export interface MachineLimits {
  cpuCount: number;
  ramBytes: number;
}

export type CgroupLayout =
  | {
      kind: 'v2';
      /** Directory the per-playground cgroups are made in. */
      parent: string;
      /** Controllers to hand down to machines (cpu and memory always; pids where offered). */
      controllers: string[];
      /** Delegated mode: the leaf the agent must move itself into first. */
      agentLeaf?: string;
    }
  | {
      kind: 'v1';
      /** Parent directory per hierarchy: memory and cpu always, cpuacct and pids where mounted apart. */
      parents: Partial<Record<V1Hierarchy, string>> & { memory: string; cpu: string };
    }
  | { kind: 'none'; reason: string };

const V1_HIERARCHIES = ['memory', 'cpu', 'cpuacct', 'pids'] as const;
export type V1Hierarchy = (typeof V1_HIERARCHIES)[number];

/** Own cgroup paths from /proc/self/cgroup: `v2` for the `0::` line, else per v1 controller. */
export function parseProcCgroup(text: string): { v2?: string; v1: Record<string, string> } {
  const out: { v2?: string; v1: Record<string, string> } = { v1: {} };
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === '0' && m[2] === '') out.v2 = m[3];
    else for (const c of m[2].split(',')) if (c) out.v1[c] = m[3];
  }
  return out;
}

/** The files to write in one machine's cgroup (per hierarchy on v1), in order. */
export function limitWrites(kind: 'v1' | 'v2', limits: MachineLimits, has: (file: string) => boolean): Array<[string, string]> {
  const quota = String(Math.round(limits.cpuCount * CPU_PERIOD_US));
  const ram = String(limits.ramBytes);
  if (kind === 'v2') {
    const w: Array<[string, string]> = [
      ['memory.max', ram],
      ['cpu.max', `${quota} ${CPU_PERIOD_US}`],
    ];
    // Without this a machine would page out to swap instead of meeting its limit.
    if (has('memory.swap.max')) w.push(['memory.swap.max', '0']);
    if (has('pids.max')) w.push(['pids.max', String(MACHINE_PIDS_MAX)]);
    return w;
  }
  const w: Array<[string, string]> = [
    // Unlimited first: memsw must never be below the plain limit, whatever was there before.
    ...(has('memory.memsw.limit_in_bytes') ? ([['memory.memsw.limit_in_bytes', '-1']] as Array<[string, string]>) : []),
    ['memory.limit_in_bytes', ram],
    ...(has('memory.memsw.limit_in_bytes') ? ([['memory.memsw.limit_in_bytes', ram]] as Array<[string, string]>) : []),
    ['cpu.cfs_period_us', String(CPU_PERIOD_US)],
    ['cpu.cfs_quota_us', quota],
  ];
  if (has('pids.max')) w.push(['pids.max', String(MACHINE_PIDS_MAX)]);
  return w;
}

export interface DetectOptions {
  root?: string;
  /** Contents of /proc/self/cgroup. */
  procCgroup?: string;
  pid?: number;
  uid?: number;
}

/**
 * Decides where machine cgroups go and makes the Sandlot parent (so "writable" is known,
 * not guessed). Never throws: a host without usable cgroups gets `none` and a reason.
 */
export function prepareCgroupLayout(o: DetectOptions = {}): CgroupLayout {
  const root = o.root ?? CGROUP_ROOT;
  let own: ReturnType<typeof parseProcCgroup>;
  try {
    own = parseProcCgroup(o.procCgroup ?? fs.readFileSync('/proc/self/cgroup', 'utf8'));
  } catch (err) {
    return { kind: 'none', reason: `cannot read /proc/self/cgroup: ${errorMessage(err)}` };
  }
  const uid = o.uid ?? process.getuid?.() ?? 0;
  const reasons: string[] = [];
  const v2 = tryV2(root, own.v2 ?? '/', o.pid ?? process.pid, reasons);
  if (v2) return v2;
  const v1 = tryV1(root, own.v1, reasons);
  if (v1) return v1;
  const who = uid === 0 ? '' : ` (the agent runs as uid ${uid}, not root)`;
  return { kind: 'none', reason: `${reasons.join('; ') || `no cgroup file system at ${root}`}${who}` };
}

function tryV2(root: string, ownPath: string, pid: number, reasons: string[]): CgroupLayout | undefined {
  // Pure v2 at the root, or the unified mount of a hybrid host.
  const mount = [root, path.join(root, 'unified')].find((d) => fs.existsSync(path.join(d, 'cgroup.controllers')));
  if (!mount) return undefined;
  const available = readWords(path.join(mount, 'cgroup.controllers'));
  if (!available.includes('cpu') || !available.includes('memory')) {
    reasons.push(`cgroup v2 at ${mount} offers no ${['cpu', 'memory'].filter((c) => !available.includes(c)).join('+')} controller`);
    return undefined;
  }
  const controllers = ['cpu', 'memory', ...(available.includes('pids') ? ['pids'] : [])];
  const atTop = tryV2Parent(mount, path.join(mount, 'sandlot'), controllers);
  if (atTop === true) return { kind: 'v2', parent: path.join(mount, 'sandlot'), controllers };
  const own = path.join(mount, ownPath);
  if (own === mount) {
    reasons.push(`cgroup v2 at ${mount}: ${atTop}`);
    return undefined;
  }
  // Delegated (e.g. systemd Delegate=yes): the agent leaves its cgroup for a leaf so that
  // its cgroup may hand controllers down.
  const agentLeaf = path.join(own, 'sandlot-agent');
  try {
    fs.mkdirSync(agentLeaf, { recursive: true });
    fs.writeFileSync(path.join(agentLeaf, 'cgroup.procs'), String(pid));
  } catch (err) {
    reasons.push(`cgroup v2 at ${mount}: ${atTop}; own cgroup ${own} is not delegated to the agent (${code(err)})`);
    return undefined;
  }
  const delegated = tryV2Parent(own, path.join(own, 'sandlot'), controllers);
  if (delegated === true) return { kind: 'v2', parent: path.join(own, 'sandlot'), controllers, agentLeaf };
  reasons.push(`cgroup v2 at ${mount}: ${atTop}; own cgroup ${own}: ${delegated}`);
  return undefined;
}

/** Enables the controllers in `base` and makes `parent` under it; true or why not. */
function tryV2Parent(base: string, parent: string, controllers: string[]): true | string {
  try {
    enableControllers(base, controllers);
    fs.mkdirSync(parent, { recursive: true });
    enableControllers(parent, controllers);
    return true;
  } catch (err) {
    return `cannot hand ${controllers.join('+')} down under ${base} (${code(err)})`;
  }
}

export function enableControllers(dir: string, controllers: string[]): void {
  const file = path.join(dir, 'cgroup.subtree_control');
  const on = readWords(file);
  const missing = controllers.filter((c) => !on.includes(c));
  if (missing.length > 0) fs.writeFileSync(file, missing.map((c) => `+${c}`).join(' '));
}

function tryV1(root: string, own: Record<string, string>, reasons: string[]): CgroupLayout | undefined {
  // A hierarchy is where its control file is: `cpu` may be a link to `cpu,cpuacct`.
  const probe: Record<V1Hierarchy, string> = { memory: 'memory.limit_in_bytes', cpu: 'cpu.cfs_quota_us', cpuacct: 'cpuacct.usage', pids: 'pids.max' };
  const mounts: Partial<Record<V1Hierarchy, string>> = {};
  for (const h of V1_HIERARCHIES) {
    const dir = path.join(root, h);
    // The top of a v1 hierarchy has no .max / limit file for pids; its cgroup.procs is what is always there.
    if (fs.existsSync(path.join(dir, 'cgroup.procs')) && (h === 'pids' || fs.existsSync(path.join(dir, probe[h])))) mounts[h] = dir;
  }
  if (!mounts.memory || !mounts.cpu) {
    if (mounts.memory || mounts.cpu) reasons.push(`cgroup v1 at ${root} has no ${mounts.memory ? 'cpu' : 'memory'} hierarchy`);
    return undefined;
  }
  // cpuacct mounted together with cpu needs no cgroup of its own.
  if (mounts.cpuacct && fs.realpathSync(mounts.cpuacct) === fs.realpathSync(mounts.cpu)) delete mounts.cpuacct;
  const parents: Partial<Record<V1Hierarchy, string>> = {};
  for (const h of V1_HIERARCHIES) {
    const dir = mounts[h];
    if (!dir) continue;
    const parent = path.join(dir, own[h] ?? '/', 'sandlot');
    try {
      fs.mkdirSync(parent, { recursive: true });
      fs.accessSync(parent, fs.constants.W_OK);
      parents[h] = parent;
    } catch (err) {
      if (h === 'memory' || h === 'cpu') {
        reasons.push(`cgroup v1: cannot create ${parent} (${code(err)})`);
        return undefined;
      }
    }
  }
  const { memory, cpu } = parents;
  if (!memory || !cpu) return undefined;
  return { kind: 'v1', parents: { ...parents, memory, cpu } };
}

/** Removes the Sandlot parents again if nothing is in them (after a probe, e.g. `doctor`). */
export function releaseLayout(layout: CgroupLayout): void {
  const parents = layout.kind === 'v2' ? [layout.parent] : layout.kind === 'v1' ? Object.values(layout.parents) : [];
  for (const dir of parents) {
    try {
      fs.rmdirSync(dir);
    } catch {
      // in use by playgrounds: keep it
    }
  }
}

/** One line for logs, doctor and `status`. */
export function describeLayout(layout: CgroupLayout): string {
  if (layout.kind === 'none') return `cpu and memory are not limited: ${layout.reason}`;
  if (layout.kind === 'v2') return `cpu and memory limited per machine with cgroup v2 under ${layout.parent}`;
  return `cpu and memory limited per machine with cgroup v1 under ${layout.parents.memory}`;
}

/**
 * Makes (or re-uses) one machine's cgroup(s) and writes its limits; returns the leaf
 * directories (one per hierarchy on v1). Throws with the file that failed.
 */
export function createMachineCgroup(layout: CgroupLayout, playground: string, machine: string, limits: MachineLimits): string[] {
  if (layout.kind === 'none') return [];
  if (layout.kind === 'v2') {
    // The parent goes away with the last playground (removeMachineCgroups): make it again.
    fs.mkdirSync(layout.parent, { recursive: true });
    enableControllers(layout.parent, layout.controllers);
    const pg = path.join(layout.parent, playground);
    fs.mkdirSync(pg, { recursive: true });
    enableControllers(pg, layout.controllers);
    const leaf = path.join(pg, machine);
    fs.mkdirSync(leaf, { recursive: true });
    writeAll(
      leaf,
      limitWrites('v2', limits, (f) => fs.existsSync(path.join(leaf, f))),
    );
    return [leaf];
  }
  const leaves: string[] = [];
  for (const parent of Object.values(layout.parents)) {
    const leaf = path.join(parent, playground, machine);
    fs.mkdirSync(leaf, { recursive: true });
    leaves.push(leaf);
  }
  const writes = limitWrites('v1', limits, (f) => leaves.some((l) => fs.existsSync(path.join(l, f))));
  for (const leaf of leaves) {
    writeAll(
      leaf,
      writes.filter(([f]) => fs.existsSync(path.join(leaf, f))),
    );
  }
  return leaves;
}

function writeAll(dir: string, writes: Array<[string, string]>): void {
  for (const [file, value] of writes) {
    try {
      fs.writeFileSync(path.join(dir, file), value);
    } catch (err) {
      throw new Error(`cannot write ${value} to ${path.join(dir, file)}: ${code(err)}`, { cause: err });
    }
  }
}

/**
 * Puts a process (and so everything it starts later) into a machine's cgroup(s). Off the
 * event loop: a migration by pid waits for the kernel's global threadgroup lock, an RCU
 * grace period (10-20 ms) when no other migration ran just before.
 */
export async function addToCgroups(leaves: string[], pid: number): Promise<void> {
  for (const leaf of leaves) await fs.promises.writeFile(path.join(leaf, 'cgroup.procs'), String(pid));
}

/**
 * A shell prefix for argv that joins the machine's cgroups before exec'ing the command:
 * processes the agent starts in a machine (shells, commands, sftp) enter its namespaces
 * with nsenter, outside init's process tree, so they would otherwise escape its limits.
 */
export function cgroupExecPrefix(leaves: string[]): string[] {
  if (leaves.length === 0) return [];
  // A machine whose cgroup vanished still gets its shell; only the limit is lost.
  const script = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1/cgroup.procs" 2>/dev/null; shift; n=$((n-1)); done; exec "$@"';
  return ['/bin/sh', '-c', script, 'sandlot-cgroup', String(leaves.length), ...leaves];
}

/**
 * Removes a machine's cgroup(s): kills what is left in them (the machine is already
 * stopped), waits for them to empty, then removes the playground and Sandlot parents
 * that became empty. Resolves false if a directory could not be removed in time.
 */
export async function removeMachineCgroups(leaves: string[], timeoutMs = 3000): Promise<boolean> {
  let ok = true;
  for (const leaf of leaves) {
    if (!fs.existsSync(leaf)) continue;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const pid of readWords(path.join(leaf, 'cgroup.procs')).map(Number)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      try {
        fs.rmdirSync(leaf);
        break;
      } catch (err) {
        // EBUSY while killed processes are still being torn down.
        if (errorCode(err) === 'ENOENT') break;
        if (Date.now() > deadline) {
          ok = false;
          break;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    // The playground's dir, then `sandlot` itself, when nothing else is in them.
    for (const dir of [path.dirname(leaf), path.dirname(path.dirname(leaf))]) {
      try {
        fs.rmdirSync(dir);
      } catch {
        break;
      }
    }
  }
  return ok;
}

function readWords(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

function code(err: unknown): string {
  return errorCode(err) ?? errorMessage(err);
}
