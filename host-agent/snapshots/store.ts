// Snapshots on disk: $SANDLOT_HOME/snapshots/<id>/. The driver writes its copy of the
// machines into that directory; then the agent writes contents.txt (the listing of every
// file the driver wrote, contents.ts) and, last, snapshot.json: what the snapshot is
// (playground, template, manifest, driver, machines) with the SHA-256 of contents.txt and
// a checksum of all of that. A directory without snapshot.json is partial (its creation
// was interrupted); one whose snapshot.json or contents.txt does not match its checksum is
// damaged. Neither is ever forked.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DriverName, SnapshotPurpose } from '../api/protocol';
import type { MachineSnapshot } from '../drivers/protocol';
import { errorCode, errorMessage } from '../util/errors';
import { writeFileAtomicModeSync } from '../util/files';
import { SNAPSHOT_ID } from '../util/ids';
import { parseOwnJson } from '../util/json';
import { sha256Text } from './contents';

export const META_FILE = 'snapshot.json';
export const LISTING_FILE = 'contents.txt';
/** The agent's own files in a snapshot directory: everything else is the driver's, and listed. */
export const AGENT_FILES = [META_FILE, LISTING_FILE];

export interface SnapshotMeta {
  format: 1;
  id: string;
  name?: string;
  playground: string;
  template: string;
  title: string;
  driver: DriverName;
  /** The effective manifest of the playground (YAML): a fork is made from it. */
  manifest: string;
  manifestName: string;
  machines: MachineSnapshot[];
  createdAt: string;
  purpose: SnapshotPurpose;
  /** contents.txt: how many files it lists, their apparent bytes, and its SHA-256. */
  contents: { files: number; bytes: number; sha256: string };
  /** SHA-256 of this object without `checksum`, keys sorted (stableJson). */
  checksum: string;
}

export type ReadSnapshot =
  { ok: true; meta: SnapshotMeta; dir: string } | { ok: false; state: 'partial' | 'damaged'; problem: string; dir: string; meta?: SnapshotMeta };

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function metaChecksum(meta: Omit<SnapshotMeta, 'checksum'> & { checksum?: string }): string {
  const { checksum: _, ...rest } = meta;
  return createHash('sha256').update(stableJson(rest)).digest('hex');
}

const DELETED = '.deleted';

export class SnapshotStore {
  constructor(readonly root: string) {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  dir(id: string): string {
    if (!SNAPSHOT_ID.test(id)) throw new Error(`not a snapshot id: ${JSON.stringify(id)}`);
    return path.join(this.root, id);
  }

  /** Every snapshot directory, complete or not. */
  ids(): string[] {
    return fs
      .readdirSync(this.root)
      .filter((n) => SNAPSHOT_ID.test(n))
      .sort();
  }

  /** A new, empty directory for the driver to write into. */
  begin(id: string): string {
    const dir = this.dir(id);
    fs.mkdirSync(dir, { mode: 0o700 });
    return dir;
  }

  /** Writes the listing, then snapshot.json (atomically, last): from here on the snapshot is complete. */
  finish(meta: Omit<SnapshotMeta, 'checksum' | 'contents'>, listing: { text: string; files: number; bytes: number }): SnapshotMeta {
    const dir = this.dir(meta.id);
    writeFileAtomicModeSync(path.join(dir, LISTING_FILE), listing.text, 0o600);
    const withContents = { ...meta, contents: { files: listing.files, bytes: listing.bytes, sha256: sha256Text(listing.text) } };
    const full: SnapshotMeta = { ...withContents, checksum: metaChecksum(withContents) };
    writeFileAtomicModeSync(path.join(dir, META_FILE), `${JSON.stringify(full, null, 2)}\n`, 0o600);
    return full;
  }

  /** Reads snapshot.json and checks it and contents.txt against their checksums (no file contents: see verify in service.ts). */
  read(id: string): ReadSnapshot {
    const dir = this.dir(id);
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, META_FILE), 'utf8');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return { ok: false, state: 'partial', dir, problem: `it has no ${META_FILE}: its creation was interrupted` };
      return { ok: false, state: 'damaged', dir, problem: `${META_FILE} cannot be read (${errorMessage(err)})` };
    }
    let meta: SnapshotMeta;
    try {
      meta = parseOwnJson<SnapshotMeta>(text);
    } catch {
      return { ok: false, state: 'damaged', dir, problem: `${META_FILE} is not JSON` };
    }
    if (typeof meta !== 'object' || meta === null || meta.format !== 1 || typeof meta.checksum !== 'string') {
      return { ok: false, state: 'damaged', dir, problem: `${META_FILE} is not snapshot metadata Sandlot wrote` };
    }
    if (metaChecksum(meta) !== meta.checksum || meta.id !== id) {
      return { ok: false, state: 'damaged', dir, meta, problem: `${META_FILE} does not match its checksum` };
    }
    return { ok: true, meta, dir };
  }

  /** contents.txt, checked against the SHA-256 in snapshot.json. */
  readListing(meta: SnapshotMeta): { ok: true; text: string } | { ok: false; problem: string } {
    let text: string;
    try {
      text = fs.readFileSync(path.join(this.dir(meta.id), LISTING_FILE), 'utf8');
    } catch (err) {
      return { ok: false, problem: `${LISTING_FILE} cannot be read (${errorCode(err) ?? errorMessage(err)})` };
    }
    if (sha256Text(text) !== meta.contents.sha256) return { ok: false, problem: `${LISTING_FILE} does not match its checksum` };
    return { ok: true, text };
  }

  /** Removes a snapshot directory: it stops being a snapshot at once (renamed), then is deleted. */
  remove(id: string): void {
    const dir = this.dir(id);
    const gone = `${dir}${DELETED}`;
    try {
      fs.renameSync(dir, gone);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return;
      throw err;
    }
    fs.rmSync(gone, { recursive: true, force: true });
  }

  /** Leftovers of interrupted deletes (the driver was done with them). */
  cleanDeleted(): string[] {
    const notes: string[] = [];
    for (const name of fs.readdirSync(this.root)) {
      if (!name.endsWith(DELETED)) continue;
      fs.rmSync(path.join(this.root, name), { recursive: true, force: true });
      notes.push(`${path.join(this.root, name)}: removed what an interrupted delete left`);
    }
    return notes;
  }
}
