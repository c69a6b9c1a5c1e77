// The playground registry's contents in a docker snapshot: what users pushed to
// `registry.sandlot.local` is state like a machine's files, so a fork's registry starts
// with it. The registry keeps it in its container's file system (REGISTRY_STORAGE); the
// snapshot holds it as one tar file in its own directory, so the agent checksums it like
// any snapshot file and nothing of it lives on the engine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { REGISTRY_STORAGE } from '../../images/catalog';

/** Relative to the snapshot directory. */
export const REGISTRY_ARCHIVE = path.join('registry', 'contents.tar');

/** Writes the registry container's storage into the snapshot; returns its size in bytes. */
export async function saveRegistry(container: Docker.Container, dir: string): Promise<number> {
  const file = path.join(dir, REGISTRY_ARCHIVE);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  await pipeline(await container.getArchive({ path: REGISTRY_STORAGE }), fs.createWriteStream(file, { mode: 0o600 }));
  return fs.statSync(file).size;
}

/** The snapshot's registry archive, when it has one (snapshots made before it was kept have none). */
export function registryArchive(dir: string): string | undefined {
  const file = path.join(dir, REGISTRY_ARCHIVE);
  return fs.existsSync(file) ? file : undefined;
}

/** Puts the archive's storage into a fork's registry container before its first start. */
export async function restoreRegistry(container: Docker.Container, archive: string): Promise<void> {
  await container.putArchive(fs.createReadStream(archive), { path: path.posix.dirname(REGISTRY_STORAGE) });
}
