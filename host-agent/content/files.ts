// Every file a piece of content consists of is opened here, contained by real path: the
// path is resolved (symbolic links followed) and then checked to be inside the content
// folder, the file is opened without following a last-moment link, and the opened file is
// checked again through /proc. A string check alone let `verify.sh -> /etc/shadow` through,
// and the agent then showed that file in the content API, the task output and the task's
// command line inside the machine. Sizes are capped per file and per content.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorCode } from '../util/errors';
import { CONTENT_LIMITS, formatBytes, type ContentLimits } from './limits';

/** A file of the content that cannot be used; `message` names the file and what is wrong. */
export class ContentFileError extends Error {
  constructor(
    readonly rel: string,
    message: string,
  ) {
    super(message);
    this.name = 'ContentFileError';
  }
}

export type TextKind = 'markdown' | 'script';

export interface ContentFilesOptions {
  /**
   * A folder above the content folder that images and assets may also come from (a
   * Killercoda scenario repository's shared `assets/`). Text and scripts always stay in
   * the content folder.
   */
  assetRoot?: string;
  /** How messages call the content folder (`scenario folder` for Killercoda). */
  folderName?: string;
  limits?: ContentLimits;
  /**
   * Texts that stand in for files on disk, by real path: an editor's unsaved buffers, so
   * that problems show while the author types. Only files that exist are read this way.
   */
  overlay?: ReadonlyMap<string, string>;
}

export type EntryKind = 'file' | 'dir' | 'missing';

const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/** `child` is `parent` or below it (both absolute, normalized). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export class ContentFiles {
  /** Real path of the content folder. */
  readonly dir: string;
  /** Real path of the folder images and assets may come from (the content folder unless set). */
  readonly assetRoot: string;
  readonly limits: ContentLimits;
  private readonly folderName: string;
  private readonly overlay: ReadonlyMap<string, string> | undefined;
  private textBytes = 0;
  private assetBytes = 0;
  private entryCount = 0;
  /** Assets checked so far, relative to the content folder (`__static__/a.png`, `../assets/b.png`). */
  private readonly checked = new Set<string>();

  constructor(dir: string, opts: ContentFilesOptions = {}) {
    this.limits = opts.limits ?? CONTENT_LIMITS;
    this.folderName = opts.folderName ?? 'content folder';
    this.overlay = opts.overlay;
    let real: string;
    try {
      real = fs.realpathSync.native(dir);
    } catch {
      throw new ContentFileError('.', `the ${this.folderName} ${dir} does not exist`);
    }
    if (!fs.statSync(real).isDirectory()) throw new ContentFileError('.', `${dir} is not a folder`);
    this.dir = real;
    const root = opts.assetRoot ? fs.realpathSync.native(opts.assetRoot) : real;
    // An asset root below the content folder would narrow it; only a parent widens it.
    this.assetRoot = isInside(real, root) ? root : real;
  }

  /** Assets checked so far, sorted, relative to the content folder with `/`. */
  assets(): string[] {
    return [...this.checked].sort();
  }

  /** What `rel` is, without reading it; paths leaving the content folder throw. */
  kind(rel: string): EntryKind {
    const real = this.locate(rel, this.dir, this.folderName);
    if (real === undefined) return 'missing';
    const st = fs.statSync(real);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'missing';
  }

  /** Reads a markdown/JSON/YAML file or a script inside the content folder, as UTF-8. */
  readText(rel: string, kind: TextKind = 'markdown'): string {
    const real = this.resolve(rel, this.dir, this.folderName);
    const cap = kind === 'script' ? this.limits.scriptBytes : this.limits.textBytes;
    const what = kind === 'script' ? 'a script' : 'a markdown or JSON file';
    const unsaved = this.overlay?.get(real);
    if (unsaved !== undefined) {
      const size = Buffer.byteLength(unsaved);
      if (size > cap) throw new ContentFileError(rel, `"${rel}" is ${formatBytes(size)}, more than the ${formatBytes(cap)} ${what} may have`);
      this.charge('text', rel, size);
      return unsaved;
    }
    return this.readCapped(rel, real, cap, what, (size) => this.charge('text', rel, size)).toString('utf8');
  }

  /** The first `bytes` of a text file inside the content folder (to tell its kind), not counted against the caps. */
  readHead(rel: string, bytes = 64 * 1024): string {
    const real = this.resolve(rel, this.dir, this.folderName);
    const unsaved = this.overlay?.get(real);
    if (unsaved !== undefined) return unsaved.slice(0, bytes);
    const fd = this.open(rel, real);
    try {
      if (!fs.fstatSync(fd).isFile()) throw new ContentFileError(rel, `"${rel}" is not a regular file`);
      const buf = Buffer.alloc(bytes);
      const n = fs.readSync(fd, buf, 0, bytes, 0);
      return buf.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Reads an asset (a file copied into machines) inside the content folder or the asset root. */
  readAsset(rel: string): Buffer {
    const real = this.resolve(rel, this.assetRoot, this.assetScopeName());
    const data = this.readCapped(rel, real, this.limits.assetBytes, 'an image or asset', (size) => this.charge('asset', rel, size));
    this.checked.add(this.key(rel));
    return data;
  }

  private readCapped(rel: string, real: string, cap: number, what: string, charge: (size: number) => void): Buffer {
    const fd = this.open(rel, real);
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw new ContentFileError(rel, `"${rel}" is not a regular file`);
      if (st.size > cap) throw new ContentFileError(rel, `"${rel}" is ${formatBytes(st.size)}, more than the ${formatBytes(cap)} ${what} may have`);
      charge(st.size);
      // Read one byte past the cap: a file that grows while it is read is caught too.
      const buf = Buffer.alloc(Math.min(st.size, cap) + 1);
      let n = 0;
      for (let r = 1; r > 0 && n < buf.length; n += r) r = fs.readSync(fd, buf, n, buf.length - n, n);
      if (n > cap) throw new ContentFileError(rel, `"${rel}" grew past the ${formatBytes(cap)} ${what} may have while it was read`);
      return buf.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Checks an image or asset named relative to the content folder: inside the content
   * folder (or the asset root), a regular file, within the size caps. Returns its path
   * relative to the content folder, with `/`.
   */
  checkAsset(rel: string): string {
    const real = this.resolve(rel, this.assetRoot, this.assetScopeName());
    const st = fs.statSync(real);
    if (!st.isFile()) throw new ContentFileError(rel, `"${rel}" is not a regular file`);
    const cap = this.limits.assetBytes;
    if (st.size > cap) throw new ContentFileError(rel, `"${rel}" is ${formatBytes(st.size)}, more than the ${formatBytes(cap)} an image or asset may have`);
    const key = this.key(rel);
    if (!this.checked.has(key)) {
      this.charge('asset', rel, st.size);
      this.checked.add(key);
    }
    return key;
  }

  private key(rel: string): string {
    return path.relative(this.dir, path.resolve(this.dir, rel)).split(path.sep).join('/');
  }

  private assetScopeName(): string {
    return this.assetRoot === this.dir ? this.folderName : `${this.folderName}'s repository (${path.basename(this.assetRoot)})`;
  }

  /** Counts `size` bytes of `rel` against the content's total for its kind, refusing what goes over. */
  private charge(kind: 'text' | 'asset', rel: string, size: number): void {
    const [used, cap, what] =
      kind === 'text'
        ? [this.textBytes, this.limits.totalTextBytes, 'markdown and scripts']
        : [this.assetBytes, this.limits.totalAssetBytes, 'images and assets'];
    if (used + size > cap) {
      throw new ContentFileError(
        rel,
        `"${rel}" brings the content's ${what} to ${formatBytes(used + size)}, more than the ${formatBytes(cap)} one content may have`,
      );
    }
    if (kind === 'text') this.textBytes += size;
    else this.assetBytes += size;
  }

  /** Entries of a folder inside the content folder, sorted by name; links leaving it throw. */
  list(rel: string): { name: string; kind: EntryKind }[] {
    const real = this.resolve(rel, this.dir, this.folderName);
    const names = fs.readdirSync(real).sort();
    this.entryCount += names.length;
    if (this.entryCount > this.limits.entries) {
      throw new ContentFileError(rel, `the ${this.folderName} has more than ${this.limits.entries} files and folders (the most one content may have)`);
    }
    return names.map((name) => {
      const child = rel === '.' || rel === '' ? name : `${rel}/${name}`;
      return { name, kind: this.kind(child) };
    });
  }

  /** Every regular file below `rel` (recursively), relative to the content folder; a link leaving the folder throws. */
  walk(rel: string): string[] {
    const out: string[] = [];
    for (const e of this.list(rel)) {
      const child = `${rel}/${e.name}`;
      if (e.kind === 'dir') out.push(...this.walk(child));
      else if (e.kind === 'file') out.push(child);
    }
    return out;
  }

  /** Real path of `rel` (relative to the content folder), refused unless it stays inside `scope`. */
  private resolve(rel: string, scope: string, scopeName: string): string {
    const real = this.locate(rel, scope, scopeName);
    if (real === undefined) throw new ContentFileError(rel, `file "${rel}" not found`);
    return real;
  }

  /** Like resolve, but a missing file is `undefined`. */
  private locate(rel: string, scope: string, scopeName: string): string | undefined {
    if (rel.includes('\0')) throw new ContentFileError(rel, `${JSON.stringify(rel)} is not a usable file name`);
    if (path.isAbsolute(rel)) throw new ContentFileError(rel, `"${rel}" is an absolute path (expected a path inside the ${scopeName})`);
    const full = path.resolve(this.dir, rel);
    if (!isInside(full, scope)) throw new ContentFileError(rel, `"${rel}" points outside the ${scopeName}`);
    let real: string | undefined;
    try {
      real = fs.realpathSync.native(full);
    } catch (err) {
      if (errorCode(err) === 'EACCES') throw new ContentFileError(rel, `"${rel}" cannot be read (permission denied)`);
    }
    // Missing: still refuse when the part that exists leads outside (`step1 -> /etc` with
    // `step1/x`), so a missing file does not tell whether /etc/x exists.
    let probe = full;
    while (real === undefined && isInside(probe, scope) && probe !== scope) {
      probe = path.dirname(probe);
      let ancestor: string;
      try {
        ancestor = fs.realpathSync.native(probe);
      } catch {
        continue; // this ancestor is missing too: go up
      }
      if (!isInside(ancestor, scope)) return this.escaped(rel, probe, scopeName);
      return undefined;
    }
    if (real === undefined) return undefined;
    if (!isInside(real, scope)) return this.escaped(rel, full, scopeName);
    return real;
  }

  private escaped(rel: string, at: string, scopeName: string): never {
    let link = false;
    try {
      link = fs.lstatSync(at).isSymbolicLink() && at === path.resolve(this.dir, rel);
    } catch {
      /* vanished: reported as leading outside all the same */
    }
    throw new ContentFileError(
      rel,
      link
        ? `"${rel}" is a symbolic link to something outside the ${scopeName} (refused)`
        : `"${rel}" passes through a symbolic link that leads outside the ${scopeName} (refused)`,
    );
  }

  /** Opens the resolved file and checks that what was opened is still that path. */
  private open(rel: string, real: string): number {
    let fd: number;
    try {
      // O_NONBLOCK: a FIFO named verify.sh would otherwise block the open (and the thread).
      fd = fs.openSync(real, OPEN_FLAGS);
    } catch (err) {
      const code = errorCode(err);
      if (code === 'ELOOP') throw new ContentFileError(rel, `"${rel}" became a symbolic link while it was read (refused)`);
      if (code === 'EACCES') throw new ContentFileError(rel, `"${rel}" cannot be read (permission denied)`);
      throw new ContentFileError(rel, `file "${rel}" not found`);
    }
    let opened: string | undefined;
    try {
      opened = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      opened = undefined; // no /proc: the checks before the open stand alone
    }
    if (opened !== undefined && opened !== real) {
      fs.closeSync(fd);
      throw new ContentFileError(rel, `"${rel}" was moved or replaced while it was read (refused)`);
    }
    return fd;
  }
}
