// What a snapshot holds, file by file: one listing line per path the driver wrote (type,
// permissions, owner, size, and the file's SHA-256, a link's target or a device's
// numbers), sorted, so two listings of the same tree are the same text. A snapshot keeps
// its listing beside its metadata; a fork compares the tree against it before anything
// starts. Also a cheap fingerprint (inode, change time, size of every path): change time
// moves with every write and cannot be set back, so an unchanged fingerprint means an
// unchanged tree without reading the file contents again.
//
// Synchronous on purpose: this runs in the snapshot worker thread (contents-worker.ts),
// never on the agent's event loop.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorCode } from '../util/errors';
import { parseOwnJson } from '../util/json';

export interface Listing {
  /** One line per path, sorted by path. */
  text: string;
  files: number;
  /** Sum of regular file sizes (apparent, not blocks). */
  bytes: number;
}

const CHUNK = 1 << 20;

function sha256File(file: string, mode: number): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    // A machine's file with no read bit for its owner (mode 0 keys, say) when the agent is
    // not root: readable for the moment it is hashed. Its change time moves, which only
    // makes the next fork hash it again.
    if (errorCode(err) !== 'EACCES') throw err;
    fs.chmodSync(file, mode | 0o400);
    try {
      fd = fs.openSync(file, 'r');
    } finally {
      fs.chmodSync(file, mode);
    }
  }
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  try {
    let n: number;
    while ((n = fs.readSync(fd, buf, 0, CHUNK, null)) > 0) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

function typeOf(st: fs.Stats): string {
  if (st.isFile()) return 'f';
  if (st.isDirectory()) return 'd';
  if (st.isSymbolicLink()) return 'l';
  if (st.isCharacterDevice()) return 'c';
  if (st.isBlockDevice()) return 'b';
  if (st.isFIFO()) return 'p';
  return 's';
}

/** Every path below `root` (relative, sorted by byte order), leaving out `exclude` at the top. */
function* walk(root: string, exclude: readonly string[]): Generator<string> {
  const visit = function* (rel: string): Generator<string> {
    const names = fs.readdirSync(path.join(root, rel)).sort();
    for (const name of names) {
      const child = rel ? `${rel}/${name}` : name;
      if (!rel && exclude.includes(name)) continue;
      yield child;
      if (fs.lstatSync(path.join(root, child)).isDirectory()) yield* visit(child);
    }
  };
  yield* visit('');
}

/** The line of one path: `type mode uid:gid size detail path`, the path as a JSON string (it may hold spaces). */
export function listingLine(root: string, rel: string): { line: string; size: number; file: boolean } {
  const full = path.join(root, rel);
  const st = fs.lstatSync(full);
  const type = typeOf(st);
  const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
  let detail = '-';
  if (type === 'f') detail = sha256File(full, st.mode & 0o7777);
  else if (type === 'l') detail = JSON.stringify(fs.readlinkSync(full));
  else if (type === 'c' || type === 'b') detail = `${Math.floor(st.rdev / 256) & 0xfff}:${(st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00)}`;
  const size = type === 'f' ? st.size : 0;
  return { line: `${type} ${mode} ${st.uid}:${st.gid} ${size} ${detail} ${JSON.stringify(rel)}`, size, file: type === 'f' };
}

/** The listing of a tree (reads every file: seconds per GiB). */
export function listTree(root: string, exclude: readonly string[] = []): Listing {
  const lines: string[] = [];
  let files = 0;
  let bytes = 0;
  for (const rel of walk(root, exclude)) {
    const l = listingLine(root, rel);
    lines.push(l.line);
    if (l.file) {
      files++;
      bytes += l.size;
    }
  }
  return { text: lines.length ? `${lines.join('\n')}\n` : '', files, bytes };
}

/** Inode, change time and size of every path, hashed: stat calls only, no file contents. */
export function fingerprintTree(root: string, exclude: readonly string[] = []): string {
  const hash = createHash('sha256');
  for (const rel of walk(root, exclude)) {
    const st = fs.lstatSync(path.join(root, rel), { bigint: true });
    hash.update(`${rel}\0${st.ino}\0${st.ctimeNs}\0${st.size}\n`);
  }
  return hash.digest('hex');
}

export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A listing line's fields: type, mode, owner, size, detail (hash, link target as JSON, device, or -), path. */
function fieldsOf(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    let end: number;
    if (line[i] === '"') {
      // A JSON string: its closing quote is the first one not escaped by a backslash.
      end = i + 1;
      while (end < line.length && line[end] !== '"') end += line[end] === '\\' ? 2 : 1;
      end++;
    } else {
      end = line.indexOf(' ', i);
      if (end < 0) end = line.length;
    }
    out.push(line.slice(i, end));
    i = end + 1;
  }
  return out;
}

function pathOf(line: string): string {
  return parseOwnJson<string>(fieldsOf(line)[5] ?? '""');
}

/** What differs between the recorded listing and the tree's, in a few words (first difference only); undefined when equal. */
export function firstDifference(recorded: string, actual: string): string | undefined {
  if (recorded === actual) return undefined;
  const want = recorded.split('\n').filter(Boolean);
  const got = actual.split('\n').filter(Boolean);
  const wantByPath = new Map(want.map((l) => [pathOf(l), l]));
  const gotByPath = new Map(got.map((l) => [pathOf(l), l]));
  for (const [p, l] of wantByPath) {
    const g = gotByPath.get(p);
    if (g === undefined) return `${p} is missing`;
    if (g !== l) {
      const [wt, wm, wo, ws, wd] = fieldsOf(l);
      const [gt, gm, go, gs, gd] = fieldsOf(g);
      if (wt !== gt) return `${p} changed type`;
      if (ws !== gs) return `${p} changed size (${ws} → ${gs} bytes)`;
      if (wd !== gd) return `${p} changed content`;
      if (wm !== gm) return `${p} changed mode (${wm} → ${gm})`;
      if (wo !== go) return `${p} changed owner (${wo} → ${go})`;
      return `${p} changed`;
    }
  }
  for (const p of gotByPath.keys()) if (!wantByPath.has(p)) return `${p} was added`;
  return 'the listing differs';
}
