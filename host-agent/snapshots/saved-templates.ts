// Templates saved from a run (`sandlot save`): a manifest in the user's template directory
// ($SANDLOT_HOME/templates/<name>.yaml, what `sandlot templates` lists) and beside it
// <name>.snapshot.json naming the snapshot its playgrounds fork from. The reference is
// written first and the manifest last, so the catalog never sees a saved template without
// its snapshot; removal goes the other way round.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { snapshotRefFile } from '../playgrounds/catalog';
import { effectiveManifest, manifestYaml } from '../manifests/effective';
import { loadManifestText } from '../manifests/load';
import { writeFileAtomicModeSync } from '../util/files';
import type { SnapshotMeta } from './store';

export function savedTemplateFile(dir: string, name: string): string {
  return path.join(dir, `${name}.yaml`);
}

/** Writes template `name` (its manifest is the snapshot's, renamed) into `dir`; returns the manifest file. */
export function writeSavedTemplate(dir: string, name: string, title: string | undefined, meta: SnapshotMeta): string {
  const manifest = loadManifestText(meta.manifest, meta.manifestName);
  const renamed = { ...effectiveManifest(manifest, { driver: meta.driver }), name, title: title ?? `${meta.title} (saved)` };
  const file = savedTemplateFile(dir, name);
  writeFileAtomicModeSync(snapshotRefFile(file), `${JSON.stringify({ snapshot: meta.id }, null, 2)}\n`, 0o600);
  writeFileAtomicModeSync(
    file,
    manifestYaml(
      renamed,
      `Saved by \`sandlot save\` from ${meta.playground} (snapshot ${meta.id}, ${meta.createdAt}).\nStarting it forks that snapshot; remove it with: sandlot templates rm ${name}`,
    ),
    0o600,
  );
  return file;
}

/** Removes a saved (or any user) template's manifest, then its snapshot reference. */
export function removeUserTemplate(file: string): void {
  fs.rmSync(file, { force: true });
  fs.rmSync(snapshotRefFile(file), { force: true });
}
