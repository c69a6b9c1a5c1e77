// Deciding what `sandlot images prune` removes: pure functions over what the engine and
// the VM cache hold, what the current recipes produce and what playgrounds still use.
// Gathering those facts (docker.ts, vm.ts) and acting on the plan are kept apart so the
// rules — never anything in use, never anything current, nothing we cannot judge — can
// be tested without an engine.

export type PruneDriver = 'docker' | 'microvm';

export type PruneKind =
  /** docker: a `sandlot/<name>:<hash>` tag. */
  | 'tag'
  /** docker: an untagged leaf image a sandlot build left (a forced rebuild, a failed build). */
  | 'dangling'
  /** microvm: an image directory (qcow2 base, kernel, initrd). */
  | 'image'
  | 'snapshot'
  /** microvm: a cached debootstrap tarball. */
  | 'rootfs'
  /** microvm: an unpacked guest kernel package. */
  | 'kernel'
  /** microvm: a downloaded guest kernel package. */
  | 'deb'
  /** microvm: a half-made build or snapshot a crashed process left behind. */
  | 'leftover';

export interface PruneItem {
  driver: PruneDriver;
  kind: PruneKind;
  /** The tag / image id (docker) or the path inside the cache (microvm). */
  name: string;
  /** Space it frees (docker: layers only this image holds; microvm: blocks on disk). */
  bytes: number;
  /** Why it is stale, e.g. "current is sandlot/linux:5b53350346f4". */
  why: string;
}

export interface KeptItem {
  driver: PruneDriver;
  kind: PruneKind;
  name: string;
  /** Why a stale-looking item stays: in use, or its current version cannot be told. */
  why: string;
}

export interface PrunePlan {
  remove: PruneItem[];
  keep: KeptItem[];
}

/** Current version of an image name, or why it cannot be computed (e.g. no k3s binary). */
export type Current = { tag: string } | { problem: string };

// ---------------------------------------------------------------- docker

export interface EngineImage {
  id: string;
  parentId?: string;
  repoTags: string[];
  labels: Record<string, string>;
  /** The engine's Size: the image with all its parents. */
  size: number;
}

export interface EngineContainer {
  id: string;
  name: string;
  imageId: string;
  state: string;
}

/** `sandlot/<name>:<12 hex>`: the only tags the builder makes. */
const SANDLOT_TAG = /^sandlot\/([a-z0-9][a-z0-9._-]*):([0-9a-f]{12})$/;

export function parseSandlotTag(tag: string): { name: string; hash: string } | undefined {
  const m = SANDLOT_TAG.exec(tag);
  return m ? { name: m[1], hash: m[2] } : undefined;
}

const realTags = (i: EngineImage) => i.repoTags.filter((t) => t !== '<none>:<none>');

export interface DockerPlanInput {
  images: EngineImage[];
  containers: EngineContainer[];
  /** Every recipe name with its current tag. Names missing here have no recipe any more. */
  current: Map<string, Current>;
  /** Only these image names (default: every sandlot image). */
  names?: string[];
}

/**
 * Stale sandlot tags and dangling sandlot images, leaf first, with the bytes each removal
 * frees given the ones before it. Kept: anything a container was created from (running
 * or not) and its ancestors, tags whose image still has children, names whose current
 * tag cannot be computed.
 */
export function planDockerPrune(input: DockerPlanInput): PrunePlan {
  const byId = new Map(input.images.map((i) => [i.id, i]));
  const children = new Map<string, Set<string>>();
  for (const i of input.images) {
    if (i.parentId && byId.has(i.parentId)) (children.get(i.parentId) ?? children.set(i.parentId, new Set()).get(i.parentId)!).add(i.id);
  }
  const ancestors = (id: string): string[] => {
    const out: string[] = [];
    for (let p = byId.get(id)?.parentId; p && byId.has(p) && !out.includes(p); p = byId.get(p)!.parentId) out.push(p);
    return out;
  };

  // Containers pin their image and everything under it.
  const usedBy = new Map<string, EngineContainer>();
  for (const c of input.containers) {
    for (const id of [c.imageId, ...ancestors(c.imageId)]) if (!usedBy.has(id)) usedBy.set(id, c);
  }
  const wanted = (name: string) => !input.names || input.names.includes(name);
  const isSandlot = (i: EngineImage) => i.labels['sandlot.image'] !== undefined || realTags(i).some((t) => parseSandlotTag(t));

  type Candidate = { kind: 'tag' | 'dangling'; name: string; id: string; why: string };
  const candidates: Candidate[] = [];
  const keep: KeptItem[] = [];
  for (const image of input.images) {
    const tags = realTags(image);
    for (const tag of tags) {
      const parsed = parseSandlotTag(tag);
      if (!parsed || !wanted(parsed.name)) continue;
      const current = input.current.get(parsed.name);
      if (current && 'problem' in current) {
        keep.push({ driver: 'docker', kind: 'tag', name: tag, why: `cannot tell the current ${parsed.name} image: ${current.problem}` });
        continue;
      }
      if (current?.tag === tag) continue;
      candidates.push({ kind: 'tag', name: tag, id: image.id, why: current ? `current is ${current.tag}` : `no recipe "${parsed.name}" any more` });
    }
    // A build's untagged leftovers: labelled by the builder, or built on a sandlot image.
    if (tags.length === 0 && !children.has(image.id)) {
      const label = image.labels['sandlot.image'];
      const base = [image.id, ...ancestors(image.id)].map((id) => byId.get(id)!).find(isSandlot);
      const name = label ?? (base ? (base.labels['sandlot.image'] ?? parseSandlotTag(realTags(base).find((t) => parseSandlotTag(t))!)!.name) : undefined);
      if (name !== undefined && wanted(name)) {
        candidates.push({ kind: 'dangling', name: image.id, id: image.id, why: label ? `untagged ${label} build` : `untagged build on ${name}` });
      }
    }
  }

  // Leaf first: removing a child can leave its parent removable.
  const depth = (id: string) => ancestors(id).length;
  candidates.sort((a, b) => depth(b.id) - depth(a.id) || a.name.localeCompare(b.name));

  // Simulate the engine: a tag removal deletes the image once no tag and no child is
  // left, and then every untagged parent that has nothing else.
  const tagsOf = new Map(input.images.map((i) => [i.id, new Set(realTags(i))]));
  const gone = new Set<string>();
  const own = (id: string) => {
    const image = byId.get(id)!;
    const parent = image.parentId ? byId.get(image.parentId) : undefined;
    return Math.max(0, image.size - (parent?.size ?? 0));
  };
  const remove: PruneItem[] = [];
  for (const c of candidates) {
    const user = usedBy.get(c.id);
    if (user) {
      const direct = user.imageId === c.id;
      keep.push({ driver: 'docker', kind: c.kind, name: c.name, why: `${direct ? 'used by' : 'base of the image of'} container ${user.name} (${user.state})` });
      continue;
    }
    const kids = [...(children.get(c.id) ?? [])].filter((k) => !gone.has(k));
    const tags = tagsOf.get(c.id)!;
    if (kids.length > 0 && (c.kind === 'dangling' || tags.size <= 1)) {
      const kid = byId.get(kids[0])!;
      keep.push({ driver: 'docker', kind: c.kind, name: c.name, why: `base of image ${realTags(kid)[0] ?? kid.id.slice(0, 19)}` });
      continue;
    }
    if (c.kind === 'tag') tags.delete(c.name);
    let bytes = 0;
    for (let id: string | undefined = c.id; id && byId.has(id); id = byId.get(id)!.parentId) {
      const left = [...(children.get(id) ?? [])].filter((k) => !gone.has(k));
      if (tagsOf.get(id)!.size > 0 || left.length > 0 || usedBy.has(id) || gone.has(id)) break;
      gone.add(id);
      bytes += own(id);
    }
    remove.push({ driver: 'docker', kind: c.kind, name: c.name, bytes, why: c.why });
  }
  return { remove, keep };
}

// ---------------------------------------------------------------- microvm

export type CacheEntryKind = Exclude<PruneKind, 'tag' | 'dangling'>;

export interface CacheEntry {
  kind: CacheEntryKind;
  /** Relative to the cache dir, e.g. `images/linux-5b53350346f4`. */
  path: string;
  bytes: number;
}

/** Sorts a cache directory's entries into kinds; unknown names are left alone (not listed). */
export function classifyCacheEntry(dir: 'images' | 'snapshots' | 'rootfs' | 'debs' | '', name: string): CacheEntryKind | 'lock' | undefined {
  if (name.endsWith('.lock')) return 'lock';
  switch (dir) {
    case 'images':
      if (/\.work-[^/]+$/.test(name)) return 'leftover';
      return /^.+-[0-9a-f]{12}$/.test(name) ? 'image' : undefined;
    case 'snapshots':
      if (name.startsWith('.w-')) return 'leftover';
      return SNAPSHOT_DIR.test(name) ? 'snapshot' : undefined;
    case 'rootfs':
      if (/\.tar\.(work-[^/]+|tmp)$/.test(name)) return 'leftover';
      return /^.+-[0-9a-f]{12}\.tar$/.test(name) ? 'rootfs' : undefined;
    case 'debs':
      return name.endsWith('.deb') ? 'deb' : undefined;
    case '':
      return /^kernel-[0-9a-f]{16}$/.test(name) ? 'kernel' : undefined;
  }
}

export interface VmCurrent {
  /** Image name → current 12-hex hash, or why it cannot be computed. */
  images: Map<string, { hash: string } | { problem: string }>;
  /** Why no image's hash can be computed at all (no guest kernel), if so. */
  imagesProblem?: string;
  /** Current `rootfs/<name>-<hash>.tar` file names. */
  rootfs: Set<string>;
  /** Current `kernel-<digest>` directory names; undefined when unknown. */
  kernels?: Set<string>;
  /** Kernel packages to keep (file names in debs/). */
  debs: Set<string>;
}

export interface VmPlanInput {
  entries: CacheEntry[];
  current: VmCurrent;
  /** Entry path → why it is in use (an overlay backs onto it, a process has it open …). */
  inUse: Map<string, string>;
  /** Directories (relative) where a live lock shows a build or snapshot being made. */
  busyDirs: Set<string>;
  /** Only images and snapshots of these names; no kernels, debs, tarballs, leftovers. */
  names?: string[];
}

const IMAGE_DIR = /^(.+)-([0-9a-f]{12})$/;
/** `<image dir>-<mem>m-<cpus>c-<accel>[-k<boot arguments>][-<devices>]` (no `-k`: named before boot arguments counted). */
const SNAPSHOT_DIR = /^(.+-[0-9a-f]{12})-\d+m-\d+c-[a-z]+(-k[0-9a-f]{8})?(?:-[0-9a-f]{8})?$/;

/** Which cache entries go: each kind judged against the current recipes and kernel. */
export function planVmPrune(input: VmPlanInput): PrunePlan {
  const { current } = input;
  const remove: PruneItem[] = [];
  const keep: KeptItem[] = [];
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  const parent = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

  /** Why an image directory name is stale, or {keep} with why it cannot be judged, or undefined when current. */
  const judgeImage = (dirName: string): { stale: string } | { unknown: string } | undefined => {
    const m = IMAGE_DIR.exec(dirName);
    if (!m) return { unknown: 'not a name the builder makes' };
    const [, name, hash] = m;
    if (input.names && !input.names.includes(name)) return undefined;
    if (current.imagesProblem) return { unknown: current.imagesProblem };
    const cur = current.images.get(name);
    if (!cur) return { stale: `no recipe "${name}" any more` };
    if ('problem' in cur) return { unknown: `cannot tell the current ${name} image: ${cur.problem}` };
    return cur.hash === hash ? undefined : { stale: `current is images/${name}-${cur.hash}` };
  };

  for (const e of input.entries) {
    if (input.names && !(e.kind === 'image' || e.kind === 'snapshot')) continue;
    let verdict: { stale: string } | { unknown: string } | undefined;
    switch (e.kind) {
      case 'image':
        verdict = judgeImage(base(e.path));
        break;
      case 'snapshot': {
        const m = SNAPSHOT_DIR.exec(base(e.path));
        const of = m ? judgeImage(m[1]) : { unknown: 'not a name the driver makes' };
        verdict = of && 'stale' in of ? { stale: `snapshot of a stale image (${of.stale})` } : of;
        // The driver never restores one of these again: its name does not say how the guest booted.
        const judged = m && (!input.names || input.names.includes(m[1].slice(0, -13)));
        if (judged && !m[2] && !verdict) verdict = { stale: 'made before the boot arguments were part of the name' };
        break;
      }
      case 'rootfs':
        verdict = current.rootfs.has(base(e.path)) ? undefined : { stale: `current is ${[...current.rootfs].map((r) => `rootfs/${r}`).join(', ') || 'none'}` };
        break;
      case 'kernel':
        if (!current.kernels) verdict = { unknown: current.imagesProblem ?? 'the current guest kernel is unknown' };
        else verdict = current.kernels.has(base(e.path)) ? undefined : { stale: 'not the current guest kernel' };
        break;
      case 'deb':
        verdict = current.debs.has(base(e.path)) ? undefined : { stale: 'an older guest kernel package' };
        break;
      case 'leftover':
        verdict = input.busyDirs.has(parent(e.path)) ? { unknown: 'a build or snapshot is being made next to it' } : { stale: 'left by an interrupted build' };
        break;
    }
    if (!verdict) continue;
    if ('unknown' in verdict) {
      keep.push({ driver: 'microvm', kind: e.kind, name: e.path, why: verdict.unknown });
      continue;
    }
    const used = input.inUse.get(e.path);
    if (used) {
      keep.push({ driver: 'microvm', kind: e.kind, name: e.path, why: used });
      continue;
    }
    remove.push({ driver: 'microvm', kind: e.kind, name: e.path, bytes: e.bytes, why: verdict.stale });
  }
  // Snapshots back onto images: remove them first, so an interrupted prune never leaves a
  // snapshot whose base is gone.
  const order: readonly PruneKind[] = ['snapshot', 'image', 'leftover', 'rootfs', 'kernel', 'deb'] satisfies CacheEntryKind[];
  remove.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.name.localeCompare(b.name));
  return { remove, keep };
}
