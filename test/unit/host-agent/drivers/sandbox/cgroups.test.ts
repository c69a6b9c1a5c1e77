// Choosing cgroup v2 / v1 / none from a fake /sys/fs/cgroup in a temp dir, the limit
// files written for a machine, and the exec prefix that puts processes into a machine.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cgroupExecPrefix,
  createMachineCgroup,
  describeLayout,
  limitWrites,
  parseProcCgroup,
  prepareCgroupLayout,
  releaseLayout,
} from '../../../../../host-agent/drivers/sandbox/cgroups';
import { parseRamSize } from '../../../../../host-agent/manifests/schema';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fake cgroup root: `files` maps relative paths to contents (directories are implied). */
function fakeRoot(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-cgroup-unit-'));
  dirs.push(root);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}

const V1_HYBRID = {
  'memory/cgroup.procs': '',
  'memory/memory.limit_in_bytes': '',
  'cpu/cgroup.procs': '',
  'cpu/cpu.cfs_quota_us': '',
  'cpuacct/cgroup.procs': '',
  'cpuacct/cpuacct.usage': '',
  'pids/cgroup.procs': '',
  // The unified mount of a hybrid host, with no controllers (as on the build machine).
  'unified/cgroup.controllers': '',
};
const SELF_V1 = '8:pids:/\n4:memory:/agents/one\n2:cpuacct:/\n1:cpu:/\n0::/\n';

describe('parseProcCgroup', () => {
  it('reads the v2 line and each v1 controller, also co-mounted ones', () => {
    expect(parseProcCgroup('0::/user.slice/x.scope\n')).toEqual({ v2: '/user.slice/x.scope', v1: {} });
    expect(parseProcCgroup('3:cpu,cpuacct:/a\n9:name=systemd:/s\n4:memory:/m\n')).toEqual({
      v1: { cpu: '/a', cpuacct: '/a', 'name=systemd': '/s', memory: '/m' },
    });
  });
});

describe('limitWrites', () => {
  const all = () => true;
  it('v2: memory.max in bytes, cpu.max as cpuCount periods of 100 ms, no swap, pids', () => {
    expect(limitWrites('v2', { cpuCount: 2, ramBytes: parseRamSize('64Mi') }, all)).toEqual([
      ['memory.max', '67108864'],
      ['cpu.max', '200000 100000'],
      ['memory.swap.max', '0'],
      ['pids.max', '4096'],
    ]);
    expect(limitWrites('v2', { cpuCount: 1, ramBytes: parseRamSize('1G') }, () => false)).toEqual([
      ['memory.max', '1000000000'],
      ['cpu.max', '100000 100000'],
    ]);
  });

  it('v1: memsw opened up before the limit and set after it, CFS period then quota', () => {
    expect(limitWrites('v1', { cpuCount: 1, ramBytes: parseRamSize('512Mi') }, all)).toEqual([
      ['memory.memsw.limit_in_bytes', '-1'],
      ['memory.limit_in_bytes', '536870912'],
      ['memory.memsw.limit_in_bytes', '536870912'],
      ['cpu.cfs_period_us', '100000'],
      ['cpu.cfs_quota_us', '100000'],
      ['pids.max', '4096'],
    ]);
    expect(limitWrites('v1', { cpuCount: 3, ramBytes: 1 }, () => false).map(([f]) => f)).toEqual([
      'memory.limit_in_bytes',
      'cpu.cfs_period_us',
      'cpu.cfs_quota_us',
    ]);
  });
});

describe('prepareCgroupLayout', () => {
  it('uses v1 on a hybrid host whose unified mount has no controllers, nested in the own cgroup', () => {
    const root = fakeRoot(V1_HYBRID);
    const layout = prepareCgroupLayout({ root, procCgroup: SELF_V1, uid: 0 });
    expect(layout).toEqual({
      kind: 'v1',
      parents: {
        memory: path.join(root, 'memory/agents/one/sandlot'),
        cpu: path.join(root, 'cpu/sandlot'),
        cpuacct: path.join(root, 'cpuacct/sandlot'),
        pids: path.join(root, 'pids/sandlot'),
      },
    });
    expect(fs.statSync(path.join(root, 'memory/agents/one/sandlot')).isDirectory()).toBe(true);
    expect(describeLayout(layout)).toMatch(/cgroup v1 under .*memory\/agents\/one\/sandlot$/);
    releaseLayout(layout);
    expect(fs.existsSync(path.join(root, 'cpu/sandlot'))).toBe(false);
  });

  it('makes no separate cpuacct cgroup when cpuacct is mounted with cpu', () => {
    const root = fakeRoot({
      'memory/cgroup.procs': '',
      'memory/memory.limit_in_bytes': '',
      'cpu,cpuacct/cgroup.procs': '',
      'cpu,cpuacct/cpu.cfs_quota_us': '',
      'cpu,cpuacct/cpuacct.usage': '',
    });
    fs.symlinkSync('cpu,cpuacct', path.join(root, 'cpu'));
    fs.symlinkSync('cpu,cpuacct', path.join(root, 'cpuacct'));
    const layout = prepareCgroupLayout({ root, procCgroup: '2:cpu,cpuacct:/\n1:memory:/\n', uid: 0 });
    expect(layout.kind === 'v1' && Object.keys(layout.parents).sort()).toEqual(['cpu', 'memory']);
  });

  it('prefers v2 when the unified hierarchy offers cpu and memory, handing them down', () => {
    const root = fakeRoot({ 'cgroup.controllers': 'cpuset cpu io memory pids', 'cgroup.subtree_control': 'memory' });
    const layout = prepareCgroupLayout({ root, procCgroup: '0::/\n', uid: 0 });
    expect(layout).toEqual({ kind: 'v2', parent: path.join(root, 'sandlot'), controllers: ['cpu', 'memory', 'pids'] });
    // Only the controllers not on yet are written (a write replaces the fake file).
    expect(fs.readFileSync(path.join(root, 'cgroup.subtree_control'), 'utf8')).toBe('+cpu +pids');
    expect(fs.readFileSync(path.join(root, 'sandlot/cgroup.subtree_control'), 'utf8')).toBe('+cpu +memory +pids');

    const leaves = createMachineCgroup(layout, 'pg-abc', 'dev', { cpuCount: 1, ramBytes: parseRamSize('64Mi') });
    expect(leaves).toEqual([path.join(root, 'sandlot/pg-abc/dev')]);
    expect(fs.readFileSync(path.join(leaves[0], 'memory.max'), 'utf8')).toBe('67108864');
    expect(fs.readFileSync(path.join(leaves[0], 'cpu.max'), 'utf8')).toBe('100000 100000');
  });

  it('v2 in a delegated subtree: the agent moves into a leaf of its own cgroup', () => {
    const root = fakeRoot({
      'cgroup.controllers': 'cpu memory',
      'user.slice/me/cgroup.controllers': 'cpu memory',
      'user.slice/me/cgroup.subtree_control': '',
    });
    // The top's subtree_control cannot be written (a directory stands in for "permission denied").
    fs.mkdirSync(path.join(root, 'cgroup.subtree_control'));
    const layout = prepareCgroupLayout({ root, procCgroup: '0::/user.slice/me\n', uid: 1000, pid: 4242 });
    expect(layout).toEqual({
      kind: 'v2',
      parent: path.join(root, 'user.slice/me/sandlot'),
      controllers: ['cpu', 'memory'],
      agentLeaf: path.join(root, 'user.slice/me/sandlot-agent'),
    });
    expect(fs.readFileSync(path.join(root, 'user.slice/me/sandlot-agent/cgroup.procs'), 'utf8')).toBe('4242');
  });

  it('uses the unified mount of a hybrid host when it has the controllers', () => {
    const root = fakeRoot({ ...V1_HYBRID, 'unified/cgroup.controllers': 'cpu memory' });
    const layout = prepareCgroupLayout({ root, procCgroup: SELF_V1, uid: 0 });
    expect(layout.kind === 'v2' && layout.parent).toBe(path.join(root, 'unified/sandlot'));
  });

  it('none, with the reason, when nothing can be used', () => {
    const empty = fakeRoot({});
    expect(prepareCgroupLayout({ root: empty, procCgroup: '0::/\n', uid: 1000 })).toEqual({
      kind: 'none',
      reason: `no cgroup file system at ${empty} (the agent runs as uid 1000, not root)`,
    });
    const noCpu = fakeRoot({ 'cgroup.controllers': 'memory pids' });
    const r = prepareCgroupLayout({ root: noCpu, procCgroup: '0::/\n', uid: 0 });
    expect(r).toEqual({ kind: 'none', reason: `cgroup v2 at ${noCpu} offers no cpu controller` });
    expect(describeLayout(r)).toBe(`cpu and memory are not limited: cgroup v2 at ${noCpu} offers no cpu controller`);
    const memOnly = fakeRoot({ 'memory/cgroup.procs': '', 'memory/memory.limit_in_bytes': '' });
    expect(prepareCgroupLayout({ root: memOnly, procCgroup: '1:memory:/\n', uid: 0 })).toMatchObject({
      kind: 'none',
      reason: `cgroup v1 at ${memOnly} has no cpu hierarchy`,
    });
  });

  it('none when the v1 parent cannot be made', () => {
    const root = fakeRoot(V1_HYBRID);
    // A file where the parent directory should go: mkdir fails as it would without permission.
    fs.writeFileSync(path.join(root, 'cpu/sandlot'), '');
    const layout = prepareCgroupLayout({ root, procCgroup: SELF_V1, uid: 0 });
    expect(layout.kind).toBe('none');
    expect(layout.kind === 'none' && layout.reason).toMatch(
      /^cgroup v2 at .*unified offers no cpu\+memory controller; cgroup v1: cannot create .*cpu\/sandlot \(E\w+\)$/,
    );
  });
});

describe('cgroupExecPrefix', () => {
  it('writes the shell PID into every cgroup, then execs the command with its arguments intact', () => {
    const a = fakeRoot({ 'cgroup.procs': '' });
    const b = fakeRoot({ 'cgroup.procs': '' });
    const argv = [...cgroupExecPrefix([a, b]), 'sh', '-c', 'echo "$1|$2|$$"', 'x', 'two words', ''];
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
    const [one, two, pid] = r.stdout.trim().split('|');
    expect([one, two]).toEqual(['two words', '']);
    // exec keeps the PID: the process that runs the command is the one in the cgroups.
    expect(fs.readFileSync(path.join(a, 'cgroup.procs'), 'utf8').trim()).toBe(pid);
    expect(fs.readFileSync(path.join(b, 'cgroup.procs'), 'utf8').trim()).toBe(pid);
    expect(cgroupExecPrefix([])).toEqual([]);
  });
});
