// Deciding what `images prune` removes: stale against the current recipes, never in use,
// never what cannot be judged; leaf first, with the bytes each removal frees.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  classifyCacheEntry,
  type Current,
  parseSandlotTag,
  planDockerPrune,
  planVmPrune,
  type CacheEntry,
  type EngineContainer,
  type EngineImage,
  type VmCurrent,
} from '../../../../../host-agent/images/prune/plan';
import { qcow2BackingChain, qcow2BackingFile } from '../../../../../host-agent/images/prune/qcow2';

const MiB = 1024 ** 2;
const img = (id: string, size: number, opts: Partial<EngineImage> = {}): EngineImage => ({ id, size, repoTags: [], labels: {}, ...opts });

// debian ← linux(cur) ; debian ← linuxOld ← dockerOld ; foreign ← foreignDangling
const images: EngineImage[] = [
  img('sha256:deb', 100 * MiB, { repoTags: ['sandlot/debian:aaaaaaaaaaaa'] }),
  img('sha256:lin', 110 * MiB, { parentId: 'sha256:deb', repoTags: ['sandlot/linux:111111111111'], labels: { 'sandlot.image': 'linux' } }),
  img('sha256:linOldStep', 105 * MiB, { parentId: 'sha256:deb' }),
  img('sha256:linOld', 112 * MiB, { parentId: 'sha256:linOldStep', repoTags: ['sandlot/linux:000000000000'], labels: { 'sandlot.image': 'linux' } }),
  img('sha256:dockOld', 150 * MiB, { parentId: 'sha256:linOld', repoTags: ['sandlot/docker:000000000000'], labels: { 'sandlot.image': 'docker' } }),
  img('sha256:forced', 111 * MiB, { parentId: 'sha256:lin', labels: { 'sandlot.image': 'zig' } }),
  img('sha256:failedStep', 113 * MiB, { parentId: 'sha256:lin' }),
  img('sha256:foreign', 10 * MiB, { repoTags: ['alpine:3'] }),
  img('sha256:foreignDangling', 12 * MiB, { parentId: 'sha256:foreign' }),
];
const current = new Map<string, Current>([
  ['debian', { tag: 'sandlot/debian:aaaaaaaaaaaa' }],
  ['linux', { tag: 'sandlot/linux:111111111111' }],
  ['docker', { tag: 'sandlot/docker:222222222222' }],
  ['zig', { tag: 'sandlot/zig:333333333333' }],
]);

describe('planDockerPrune', () => {
  it('removes stale tags leaf first with the bytes each frees, and dangling sandlot builds', () => {
    const plan = planDockerPrune({ images, containers: [], current });
    expect(plan.remove.map((r) => [r.kind, r.name, r.bytes / MiB])).toEqual([
      // The old docker image first: then the old linux one has no child left and goes
      // with its untagged build step (112 - 100 MiB over debian).
      ['tag', 'sandlot/docker:000000000000', 38],
      ['tag', 'sandlot/linux:000000000000', 12],
      ['dangling', 'sha256:failedStep', 3],
      ['dangling', 'sha256:forced', 1],
    ]);
    expect(plan.remove[0].why).toBe('current is sandlot/docker:222222222222');
    expect(plan.remove.find((r) => r.name === 'sha256:failedStep')?.why).toBe('untagged build on linux');
    expect(plan.keep).toEqual([]);
  });

  it('keeps what a container was created from, running or stopped, and everything under it', () => {
    const containers: EngineContainer[] = [{ id: 'c1', name: 'sandlot-pg-dev', imageId: 'sha256:linOld', state: 'exited' }];
    const plan = planDockerPrune({ images, containers, current });
    expect(plan.remove.map((r) => r.name)).toEqual(['sandlot/docker:000000000000', 'sha256:failedStep', 'sha256:forced']);
    // The docker image's own layers go; linuxOld stays, so nothing more.
    expect(plan.remove[0].bytes).toBe(38 * MiB);
    expect(plan.keep).toEqual([{ driver: 'docker', kind: 'tag', name: 'sandlot/linux:000000000000', why: 'used by container sandlot-pg-dev (exited)' }]);

    const onChild = planDockerPrune({ images, containers: [{ id: 'c2', name: 'box', imageId: 'sha256:dockOld', state: 'running' }], current });
    expect(onChild.keep.map((k) => [k.name, k.why])).toEqual([
      ['sandlot/docker:000000000000', 'used by container box (running)'],
      ['sandlot/linux:000000000000', 'base of the image of container box (running)'],
    ]);
  });

  it('keeps a tag whose image other images are built on, and names it cannot judge', () => {
    const withChild = [...images, img('sha256:mine', 200 * MiB, { parentId: 'sha256:dockOld', repoTags: ['me/custom:1'] })];
    const plan = planDockerPrune({ images: withChild, containers: [], current: new Map([...current, ['docker', { problem: 'no k3s binary' }]]) });
    expect(plan.keep).toEqual([
      { driver: 'docker', kind: 'tag', name: 'sandlot/docker:000000000000', why: 'cannot tell the current docker image: no k3s binary' },
      { driver: 'docker', kind: 'tag', name: 'sandlot/linux:000000000000', why: 'base of image sandlot/docker:000000000000' },
    ]);
  });

  it('treats names without a recipe as stale, frees nothing for a second tag, and honours names', () => {
    const extra = [img('sha256:probe', 120 * MiB, { parentId: 'sha256:lin', repoTags: ['sandlot/probe:444444444444', 'sandlot/linux:555555555555'] })];
    const plan = planDockerPrune({ images: [...images, ...extra], containers: [], current });
    const probe = plan.remove.filter((r) => r.name.startsWith('sandlot/probe') || r.name === 'sandlot/linux:555555555555');
    expect(probe.map((r) => [r.name, r.bytes / MiB, r.why])).toEqual([
      ['sandlot/linux:555555555555', 0, 'current is sandlot/linux:111111111111'],
      ['sandlot/probe:444444444444', 10, 'no recipe "probe" any more'],
    ]);
    const onlyDocker = planDockerPrune({ images, containers: [], current, names: ['docker'] });
    expect(onlyDocker.remove.map((r) => r.name)).toEqual(['sandlot/docker:000000000000']);
  });

  it("parses only the builder's tags", () => {
    expect(parseSandlotTag('sandlot/linux:5b53350346f4')).toEqual({ name: 'linux', hash: '5b53350346f4' });
    expect(parseSandlotTag('sandlot/linux:latest')).toBeUndefined();
    expect(parseSandlotTag('other/linux:5b53350346f4')).toBeUndefined();
  });
});

const vmCurrent = (over: Partial<VmCurrent> = {}): VmCurrent => ({
  images: new Map<string, { hash: string } | { problem: string }>([
    ['linux', { hash: '111111111111' }],
    ['docker', { hash: '222222222222' }],
    ['k3s', { problem: 'no k3s binary' }],
  ]),
  rootfs: new Set(['debian-aaaaaaaaaaaa.tar']),
  kernels: new Set(['kernel-aaaaaaaaaaaaaaaa']),
  debs: new Set(['linux-image-6.1.0-9-cloud-amd64_6.1_amd64.deb']),
  ...over,
});
const entry = (kind: CacheEntry['kind'], p: string): CacheEntry => ({ kind, path: p, bytes: 1000 });
const vmEntries: CacheEntry[] = [
  entry('image', 'images/linux-111111111111'),
  entry('image', 'images/linux-000000000000'),
  entry('image', 'images/docker-000000000000'),
  entry('image', 'images/k3s-000000000000'),
  entry('image', 'images/gone-000000000000'),
  entry('snapshot', 'snapshots/linux-111111111111-512m-1c-tcg-k0a1b2c3d'),
  entry('snapshot', 'snapshots/linux-000000000000-512m-1c-tcg-k0a1b2c3d'),
  entry('snapshot', 'snapshots/docker-000000000000-1024m-1c-tcg-k0a1b2c3d'),
  entry('snapshot', 'snapshots/linux-111111111111-512m-1c-kvm'),
  entry('rootfs', 'rootfs/debian-aaaaaaaaaaaa.tar'),
  entry('rootfs', 'rootfs/debian-000000000000.tar'),
  entry('kernel', 'kernel-aaaaaaaaaaaaaaaa'),
  entry('kernel', 'kernel-0000000000000000'),
  entry('deb', 'debs/linux-image-6.1.0-9-cloud-amd64_6.1_amd64.deb'),
  entry('deb', 'debs/linux-image-6.1.0-1-cloud-amd64_6.1_amd64.deb'),
  entry('leftover', 'images/linux-111111111111.work-abc'),
  entry('leftover', 'snapshots/.w-xyz'),
];

describe('planVmPrune', () => {
  it('removes what the current recipes and kernel no longer make, snapshots before their bases', () => {
    const inUse = new Map([
      ['images/docker-000000000000', 'backs the disk of machine dev in playground pg-1'],
      ['snapshots/docker-000000000000-1024m-1c-tcg-k0a1b2c3d', 'backs the disk of machine dev in playground pg-1'],
    ]);
    const plan = planVmPrune({ entries: vmEntries, current: vmCurrent(), inUse, busyDirs: new Set(['snapshots']) });
    expect(plan.remove.map((r) => [r.kind, r.name])).toEqual([
      ['snapshot', 'snapshots/linux-000000000000-512m-1c-tcg-k0a1b2c3d'],
      ['snapshot', 'snapshots/linux-111111111111-512m-1c-kvm'],
      ['image', 'images/gone-000000000000'],
      ['image', 'images/linux-000000000000'],
      ['leftover', 'images/linux-111111111111.work-abc'],
      ['rootfs', 'rootfs/debian-000000000000.tar'],
      ['kernel', 'kernel-0000000000000000'],
      ['deb', 'debs/linux-image-6.1.0-1-cloud-amd64_6.1_amd64.deb'],
    ]);
    expect(plan.remove.find((r) => r.name === 'images/linux-000000000000')?.why).toBe('current is images/linux-111111111111');
    expect(plan.remove.find((r) => r.name === 'images/gone-000000000000')?.why).toBe('no recipe "gone" any more');
    expect(plan.remove.find((r) => r.name === 'snapshots/linux-111111111111-512m-1c-kvm')?.why).toBe('made before the boot arguments were part of the name');
    expect(plan.keep.map((k) => [k.name, k.why])).toEqual([
      ['images/docker-000000000000', 'backs the disk of machine dev in playground pg-1'],
      ['images/k3s-000000000000', 'cannot tell the current k3s image: no k3s binary'],
      ['snapshots/docker-000000000000-1024m-1c-tcg-k0a1b2c3d', 'backs the disk of machine dev in playground pg-1'],
      ['snapshots/.w-xyz', 'a build or snapshot is being made next to it'],
    ]);
  });

  it('keeps every image, snapshot and kernel when the current kernel is unknown', () => {
    const plan = planVmPrune({
      entries: vmEntries,
      current: vmCurrent({ imagesProblem: 'no guest kernel', kernels: undefined }),
      inUse: new Map(),
      busyDirs: new Set(),
    });
    expect(plan.remove.map((r) => r.name)).toEqual([
      'images/linux-111111111111.work-abc',
      'snapshots/.w-xyz',
      'rootfs/debian-000000000000.tar',
      'debs/linux-image-6.1.0-1-cloud-amd64_6.1_amd64.deb',
    ]);
    expect(plan.keep.filter((k) => k.why === 'no guest kernel')).toHaveLength(11);
  });

  it('with names, judges only those images and their snapshots', () => {
    const plan = planVmPrune({ entries: vmEntries, current: vmCurrent(), inUse: new Map(), busyDirs: new Set(), names: ['linux'] });
    expect(plan.remove.map((r) => r.name)).toEqual([
      'snapshots/linux-000000000000-512m-1c-tcg-k0a1b2c3d',
      'snapshots/linux-111111111111-512m-1c-kvm',
      'images/linux-000000000000',
    ]);
    const docker = planVmPrune({ entries: vmEntries, current: vmCurrent(), inUse: new Map(), busyDirs: new Set(), names: ['docker'] });
    expect(docker.remove.map((r) => r.name)).toEqual(['snapshots/docker-000000000000-1024m-1c-tcg-k0a1b2c3d', 'images/docker-000000000000']);
    expect(plan.keep).toEqual([]);
  });

  it('classifies cache names the way the builder and driver make them', () => {
    expect(classifyCacheEntry('images', 'linux-5b53350346f4')).toBe('image');
    expect(classifyCacheEntry('images', 'linux-5b53350346f4.lock')).toBe('lock');
    expect(classifyCacheEntry('images', 'linux-5b53350346f4.work-Ab12')).toBe('leftover');
    expect(classifyCacheEntry('images', 'notes.txt')).toBeUndefined();
    expect(classifyCacheEntry('snapshots', 'docker-b19321d422ee-1024m-1c-tcg-k5e0c7a21')).toBe('snapshot');
    expect(classifyCacheEntry('snapshots', 'docker-b19321d422ee-1024m-1c-tcg-k5e0c7a21-0badf00d')).toBe('snapshot');
    expect(classifyCacheEntry('snapshots', 'docker-b19321d422ee-1024m-1c-tcg')).toBe('snapshot');
    expect(classifyCacheEntry('snapshots', '.w-Qx')).toBe('leftover');
    expect(classifyCacheEntry('rootfs', 'debian-e055b20f8f96.tar')).toBe('rootfs');
    expect(classifyCacheEntry('rootfs', 'debian-e055b20f8f96.tar.tmp')).toBe('leftover');
    expect(classifyCacheEntry('', 'kernel-e7d02b943971edcb')).toBe('kernel');
    expect(classifyCacheEntry('', 'inputs')).toBeUndefined();
    expect(classifyCacheEntry('debs', 'linux-image-6.1.0-56-cloud-amd64_6.1.192-2_amd64.deb')).toBe('deb');
  });
});

describe('qcow2 backing chain', () => {
  /** A minimal qcow2 header (what the reader looks at) naming `backing`. */
  const qcow2 = (file: string, backing?: string) => {
    const header = Buffer.alloc(512);
    header.writeUInt32BE(0x514649fb, 0);
    header.writeUInt32BE(3, 4);
    if (backing) {
      header.writeBigUInt64BE(256n, 8);
      header.writeUInt32BE(Buffer.byteLength(backing), 16);
      header.write(backing, 256);
    }
    fs.writeFileSync(file, header);
  };

  it('follows relative and absolute names to the end, and rejects what is not qcow2', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-qcow2-'));
    try {
      fs.mkdirSync(path.join(dir, 'm'));
      qcow2(path.join(dir, 'base.qcow2'));
      qcow2(path.join(dir, 'snap.qcow2'), path.join(dir, 'base.qcow2'));
      qcow2(path.join(dir, 'm', 'disk.qcow2'), '../snap.qcow2');
      expect(qcow2BackingChain(path.join(dir, 'm', 'disk.qcow2'))).toEqual([path.join(dir, 'snap.qcow2'), path.join(dir, 'base.qcow2')]);
      expect(qcow2BackingFile(path.join(dir, 'base.qcow2'))).toBeUndefined();
      fs.writeFileSync(path.join(dir, 'raw.img'), Buffer.alloc(512));
      expect(() => qcow2BackingFile(path.join(dir, 'raw.img'))).toThrow(/raw\.img: not a qcow2 image/);
      qcow2(path.join(dir, 'on-raw.qcow2'), 'raw.img');
      expect(qcow2BackingChain(path.join(dir, 'on-raw.qcow2'))).toEqual([path.join(dir, 'raw.img')]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
