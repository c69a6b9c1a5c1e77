// Snapshots on a Docker engine. A machine's state is its container's writable layer and
// its volumes: a snapshot commits the container into an image labelled with the snapshot
// (one new layer over the machine's image: only what the machine changed) and copies each
// volume into a volume of the snapshot. What the engine holds is named in a small file per
// machine under the snapshot directory, which the agent checksums like any other. A fork's
// containers start from those images (sharing their layers: no copy until a fork writes)
// and get fresh copies of the volumes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { errorMessage } from '../../util/errors';
import { readOwnJson } from '../../util/json';
import { writeFileAtomicModeSync } from '../../util/files';
import { LABEL } from './container-config';
import { statusCode } from './engine';

/** Label on every engine object that belongs to a snapshot (its images and volumes). */
export const SNAPSHOT_LABEL = 'sandlot.snapshot';
const SNAPSHOT_REPO = 'sandlot-snapshot';

/** What a snapshot holds of one machine, as written to `machines/<name>/docker.json`. */
export interface DockerMachineSnapshot {
  machine: string;
  /** `sandlot-snapshot:<snapshot>-<machine>` */
  tag: string;
  /** The committed image's id: a fork refuses an image that is not this one. */
  imageId: string;
  /** The machine's volumes: mount point → the snapshot's copy. */
  volumes: { target: string; volume: string }[];
  /**
   * The original's default network was moved into the pool (its manifest named no subnet).
   * A fork's manifest (the original's effective one) writes that subnet out, but it may move
   * too, or a second fork would find it taken.
   */
  defaultNetworkMoved?: boolean;
}

export function snapshotIdOf(dir: string): string {
  return path.basename(dir);
}

export function snapshotImageTag(snapshot: string, machine: string): string {
  return `${SNAPSHOT_REPO}:${snapshot}-${machine}`;
}

export function snapshotVolumeName(snapshot: string, machine: string, index: number): string {
  return `sandlot-${snapshot}-${machine}-vol${index}`;
}

/** Where a machine's record lives, relative to the snapshot directory. */
export function machineRecordPath(machine: string): string {
  return path.join('machines', machine, 'docker.json');
}

export function writeMachineRecord(dir: string, rec: DockerMachineSnapshot): void {
  const file = path.join(dir, machineRecordPath(rec.machine));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomicModeSync(file, JSON.stringify(rec, null, 2), 0o644);
}

export function readMachineRecord(dir: string, machine: string): DockerMachineSnapshot {
  const file = path.join(dir, machineRecordPath(machine));
  let rec: Partial<DockerMachineSnapshot>;
  try {
    rec = readOwnJson<Partial<DockerMachineSnapshot>>(file);
  } catch (err) {
    throw new Error(`snapshot ${snapshotIdOf(dir)}: machine ${machine} has no readable docker record (${errorMessage(err)})`, { cause: err });
  }
  if (typeof rec.tag !== 'string' || typeof rec.imageId !== 'string' || !Array.isArray(rec.volumes)) {
    throw new Error(`snapshot ${snapshotIdOf(dir)}: ${machineRecordPath(machine)}: expected tag, imageId and volumes`);
  }
  return { machine, tag: rec.tag, imageId: rec.imageId, volumes: rec.volumes, ...(rec.defaultNetworkMoved ? { defaultNetworkMoved: true } : {}) };
}

/**
 * Commits a container into the snapshot's image for the machine. The caller pauses running
 * containers first (all machines together, one consistent moment), so the commit itself
 * does not pause. Labels of the container (its playground, machine) stay on the image, and
 * the snapshot's is added.
 */
export async function commitMachine(engine: Docker, container: string, snapshot: string, machine: string): Promise<{ tag: string; imageId: string }> {
  const tag = snapshotImageTag(snapshot, machine);
  const [repo, version] = tag.split(':');
  // dockerode sends `_query` as the query string and `_body` as the container config to merge.
  const res: unknown = await engine.getContainer(container).commit({
    _query: { container, repo, tag: version, pause: false, comment: `Sandlot snapshot ${snapshot} of machine ${machine}` },
    _body: { Labels: { [SNAPSHOT_LABEL]: snapshot, [LABEL.machine]: machine } },
  });
  const id = typeof res === 'object' && res !== null && 'Id' in res && typeof res.Id === 'string' ? res.Id : undefined;
  return { tag, imageId: id ?? (await engine.getImage(tag).inspect()).Id };
}

/** Bytes the snapshot's own layer of an image takes (what the machine changed), from the image's history. */
export async function ownLayerBytes(engine: Docker, tag: string): Promise<number> {
  const history: unknown = await engine.getImage(tag).history();
  const top: unknown = Array.isArray(history) ? history[0] : undefined;
  return typeof top === 'object' && top !== null && 'Size' in top && typeof top.Size === 'number' ? top.Size : 0;
}

/**
 * Copies one volume into another with a short-lived container of `image` (any image with
 * `cp`: the machine's own), no network, root. Keeps owners, modes, links.
 */
export async function copyVolume(engine: Docker, image: string, from: string, to: string, labels: Record<string, string>): Promise<void> {
  const helper = await engine.createContainer({
    Image: image,
    Entrypoint: ['cp', '-a', '/from/.', '/to/'],
    Cmd: [],
    User: '0:0',
    Labels: { ...labels, [LABEL.role]: 'copy' },
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      Mounts: [
        { Type: 'volume', Source: from, Target: '/from', ReadOnly: true },
        { Type: 'volume', Source: to, Target: '/to' },
      ],
    },
  });
  try {
    await helper.start();
    const done: unknown = await helper.wait();
    const StatusCode = typeof done === 'object' && done !== null && 'StatusCode' in done && typeof done.StatusCode === 'number' ? done.StatusCode : -1;
    if (StatusCode !== 0) {
      const logs = (await helper.logs({ stdout: true, stderr: true, tail: 5 })).toString('utf8').trim();
      throw new Error(`copying volume ${from} to ${to} failed (exit ${StatusCode}): ${logs}`);
    }
  } finally {
    await helper.remove({ force: true }).catch(() => undefined);
  }
}

/** Why a snapshot's engine objects cannot make a fork (an image or volume gone or replaced), or undefined. */
export async function snapshotObjectsProblem(engine: Docker, dir: string, machines: string[]): Promise<string | undefined> {
  for (const machine of machines) {
    let rec: DockerMachineSnapshot;
    try {
      rec = readMachineRecord(dir, machine);
    } catch (err) {
      return errorMessage(err);
    }
    try {
      const image = await engine.getImage(rec.tag).inspect();
      if (image.Id !== rec.imageId)
        return `image ${rec.tag} of machine ${machine} is not the one the snapshot made (${image.Id.slice(0, 19)}, expected ${rec.imageId.slice(0, 19)})`;
    } catch (err) {
      if (statusCode(err) === 404) return `image ${rec.tag} of machine ${machine} is gone from the Docker engine`;
      throw err;
    }
    for (const v of rec.volumes) {
      try {
        await engine.getVolume(v.volume).inspect();
      } catch (err) {
        if (statusCode(err) === 404) return `volume ${v.volume} (${v.target} of machine ${machine}) is gone from the Docker engine`;
        throw err;
      }
    }
  }
  return undefined;
}

/**
 * Removes a snapshot's images and volumes (by its label, so a half-made snapshot goes too).
 * An image a container still runs from is refused by the engine: that is said, not forced.
 */
export async function removeSnapshotObjects(engine: Docker, snapshot: string): Promise<void> {
  const filters = JSON.stringify({ label: [`${SNAPSHOT_LABEL}=${snapshot}`] });
  const problems: string[] = [];
  // Forks' images (commits of a fork's container) carry their own snapshot's label and only
  // this image's layers: removing it by tag untags it and the engine keeps the shared layers.
  for (const img of await engine.listImages({ filters })) {
    for (const tag of img.RepoTags ?? []) {
      if (!tag.startsWith(`${SNAPSHOT_REPO}:${snapshot}-`)) continue;
      try {
        await engine.getImage(tag).remove();
      } catch (err) {
        if (statusCode(err) !== 404) problems.push(`image ${tag}: ${errorMessage(err).trim()}`);
      }
    }
  }
  for (const v of (await engine.listVolumes({ filters })).Volumes ?? []) {
    try {
      await engine.getVolume(v.Name).remove();
    } catch (err) {
      if (statusCode(err) !== 404) problems.push(`volume ${v.Name}: ${errorMessage(err).trim()}`);
    }
  }
  if (problems.length) throw new Error(`docker driver: snapshot ${snapshot}: ${problems.join('; ')}`);
}
