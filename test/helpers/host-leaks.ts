// What a test may leave behind on the host, counted before and after: processes of
// Sandlot's making, network namespaces, mounts, loop devices, cgroups, Docker objects.
// A test compares two snapshots; a difference is a leak.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface HostResources {
  /** Live (non-zombie) processes that make or run machines: `pid cmd` lines. */
  processes: string[];
  /** Network namespaces other than the host's, by inode, held by any process. */
  netns: string[];
  /** Mount points in the test's own mount namespace. */
  mounts: string[];
  /** Loop devices with a backing file. */
  loops: string[];
  /** Sandlot's cgroup directories (machine and playground levels). */
  cgroups: string[];
}

// Zombies are excluded: this container's PID 1 may never reap the `unshare` parents of
// machines whose agent was killed, and a zombie holds no namespace, mount or memory.
const OURS = /sandlot-init|sandlot-relay|sandlot-enter|\bunshare\b|nsenter|sleep 86400|qemu-system|sftp-server|script --quiet/;

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function livePids(): string[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d) && d !== String(process.pid));
}

function processes(pids: string[]): string[] {
  const out: string[] = [];
  for (const pid of pids) {
    const stat = readText(`/proc/${pid}/stat`);
    if (!stat || / Z /.test(stat.slice(stat.lastIndexOf(')')))) continue;
    const cmd = (readText(`/proc/${pid}/cmdline`) ?? '').replace(/\0/g, ' ').trim();
    if (OURS.test(cmd)) out.push(`${pid} ${cmd.slice(0, 120)}`);
  }
  return out.sort();
}

function netns(pids: string[]): string[] {
  const host = fs.readlinkSync('/proc/self/ns/net');
  const seen = new Set<string>();
  for (const pid of pids) {
    try {
      const ns = fs.readlinkSync(`/proc/${pid}/ns/net`);
      if (ns !== host) seen.add(ns);
    } catch {
      // gone, or not ours to read
    }
  }
  return [...seen].sort();
}

// iproute2's own directory for named namespaces: the first `ip netns add` of a boot
// (the tests' stand-in internet) bind-mounts it onto itself and no command ever unmounts it.
// It holds nothing; the namespaces mounted under it (`/run/netns/<name>`) still count.
const IPROUTE_NETNS_DIR = '/run/netns';

function mounts(): string[] {
  return (readText('/proc/self/mountinfo') ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4])
    .filter((m) => m !== IPROUTE_NETNS_DIR)
    .sort();
}

function loops(): string[] {
  const out: string[] = [];
  for (const dev of fs.readdirSync('/sys/block').filter((d) => d.startsWith('loop'))) {
    const backing = readText(`/sys/block/${dev}/loop/backing_file`);
    if (backing) out.push(`${dev} ${backing.trim()}`);
  }
  return out.sort();
}

function cgroups(root = '/sys/fs/cgroup'): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 8) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (/sandlot/.test(e.name)) out.push(p);
      walk(p, depth + 1);
    }
  };
  walk(root, 0);
  return out.sort();
}

const KINDS = ['processes', 'netns', 'mounts', 'loops', 'cgroups'] as const satisfies readonly (keyof HostResources)[];

export function snapshotHost(): HostResources {
  const pids = livePids();
  return { processes: processes(pids), netns: netns(pids), mounts: mounts(), loops: loops(), cgroups: cgroups() };
}

/** What `after` holds that `before` did not, per kind; empty when nothing leaked. */
export function leaked(before: HostResources, after: HostResources): Partial<HostResources> {
  const out: Partial<HostResources> = {};
  for (const key of KINDS) {
    const had = new Set(before[key]);
    const extra = after[key].filter((x) => !had.has(x));
    if (extra.length > 0) out[key] = extra;
  }
  return out;
}

/** Polls until nothing leaked (processes take a moment to die), or returns what is left. */
export async function waitForNoLeaks(before: HostResources, timeoutMs = 10_000): Promise<Partial<HostResources>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = leaked(before, snapshotHost());
    if (Object.keys(left).length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 200));
  }
}
