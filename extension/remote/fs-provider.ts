// `sandlot://<playground>.<machine>/<path>`: a machine's files over SFTP through the
// agent tunnel. Registered with isCaseSensitive (Linux). Changes made inside the machine
// reach VS Code through the poller in fs-watch.ts.
import type { SFTPWrapper, Stats } from 'ssh2';
import * as vscode from 'vscode';
import { errorMessage } from '../log';
import { DisposableStore } from '../util/disposables';
import { shellQuote } from '../util/shell';
import type { MachineSessions } from './ssh-session';
import { toFileSystemError } from './sftp-errors';
import { SFTP_NO_SUCH_FILE, sftpStatus } from './sftp-status';
import { FsWatcher } from './fs-watch';
import { listDirectory, readAll, writeAll } from './sftp-io';
import { parseSandlotUri, SCHEME, type SandlotLocation } from './uri';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

export function fileTypeOf(mode: number): vscode.FileType {
  switch (mode & S_IFMT) {
    case S_IFDIR:
      return vscode.FileType.Directory;
    case S_IFREG:
      return vscode.FileType.File;
    case S_IFLNK:
      return vscode.FileType.SymbolicLink;
    default:
      return vscode.FileType.Unknown;
  }
}

function p<T>(fn: (cb: (err: Error | null | undefined, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

export class SandlotFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly owned = new DisposableStore();
  private readonly changed = this.owned.add(new vscode.EventEmitter<vscode.FileChangeEvent[]>());
  readonly onDidChangeFile = this.changed.event;
  private readonly watcher: FsWatcher;

  constructor(
    private readonly sessions: MachineSessions,
    log: vscode.LogOutputChannel,
  ) {
    this.watcher = this.owned.add(new FsWatcher(this, (events) => this.changed.fire(events), log));
  }

  static register(sessions: MachineSessions, log: vscode.LogOutputChannel): vscode.Disposable {
    const fs = new SandlotFileSystem(sessions, log);
    const reg = vscode.workspace.registerFileSystemProvider(SCHEME, fs, { isCaseSensitive: true });
    return { dispose: () => (reg.dispose(), fs.dispose()) };
  }

  private loc(uri: vscode.Uri): SandlotLocation {
    try {
      return parseSandlotUri(uri);
    } catch (err) {
      throw vscode.FileSystemError.FileNotFound(`${uri.toString()}: ${errorMessage(err)}`);
    }
  }

  async sftpFor(uri: vscode.Uri): Promise<{ sftp: SFTPWrapper; loc: SandlotLocation }> {
    const loc = this.loc(uri);
    try {
      const session = await this.sessions.get(loc);
      return { sftp: await session.sftp(), loc };
    } catch (err) {
      throw err instanceof vscode.FileSystemError ? err : vscode.FileSystemError.Unavailable(`${uri.toString()}: ${errorMessage(err)}`);
    }
  }

  watch(uri: vscode.Uri, options: { readonly recursive: boolean; readonly excludes: readonly string[] }): vscode.Disposable {
    return this.watcher.watch(uri, options.recursive);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const { sftp, loc } = await this.sftpFor(uri);
    try {
      return await statFollowing(sftp, loc.path);
    } catch (err) {
      throw toFileSystemError(err, uri);
    }
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const { sftp, loc } = await this.sftpFor(uri);
    try {
      // A link carries its target's type too (VS Code expands a link to a folder).
      return (await listDirectory(sftp, loc.path)).map((e) => [e.name, fileTypeOf(e.mode) | (e.targetMode !== undefined ? fileTypeOf(e.targetMode) : 0)]);
    } catch (err) {
      throw toFileSystemError(err, uri);
    }
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const { sftp, loc } = await this.sftpFor(uri);
    try {
      return await readAll(sftp, loc.path);
    } catch (err) {
      throw toFileSystemError(err, uri);
    }
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array, options: { readonly create: boolean; readonly overwrite: boolean }): Promise<void> {
    const { sftp, loc } = await this.sftpFor(uri);
    const existing = await p<Stats>((cb) => sftp.stat(loc.path, cb)).catch((err) => {
      if (sftpStatus(err) === SFTP_NO_SUCH_FILE) return undefined;
      throw toFileSystemError(err, uri);
    });
    if (existing && fileTypeOf(existing.mode) === vscode.FileType.Directory) throw vscode.FileSystemError.FileIsADirectory(uri);
    if (!existing && !options.create) throw vscode.FileSystemError.FileNotFound(uri);
    if (existing && !options.overwrite) throw vscode.FileSystemError.FileExists(uri);
    if (!existing) await this.requireParent(sftp, loc, uri);
    try {
      await writeAll(sftp, loc.path, content);
    } catch (err) {
      throw toFileSystemError(err, uri);
    }
    this.changed.fire([{ type: existing ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created, uri }]);
    this.watcher.noteWrite(uri);
    // A saved file may be what a task checks for: check now.
    this.sessions.changes.notify(loc, 'file');
  }

  async createDirectory(uri: vscode.Uri): Promise<void> {
    const { sftp, loc } = await this.sftpFor(uri);
    const existing = await p<Stats>((cb) => sftp.stat(loc.path, cb)).catch(() => undefined);
    if (existing) throw vscode.FileSystemError.FileExists(uri);
    await this.requireParent(sftp, loc, uri);
    try {
      await p<void>((cb) => sftp.mkdir(loc.path, (err) => cb(err, undefined)));
    } catch (err) {
      throw toFileSystemError(err, uri);
    }
    this.changed.fire([{ type: vscode.FileChangeType.Created, uri }]);
    this.sessions.changes.notify(loc, 'file');
  }

  async delete(uri: vscode.Uri, options: { readonly recursive: boolean }): Promise<void> {
    const { sftp, loc } = await this.sftpFor(uri);
    let st: Stats;
    try {
      st = await p<Stats>((cb) => sftp.lstat(loc.path, cb));
    } catch (err) {
      throw toFileSystemError(err, uri);
    }
    try {
      if (fileTypeOf(st.mode) !== vscode.FileType.Directory) {
        await p<void>((cb) => sftp.unlink(loc.path, (err) => cb(err, undefined)));
      } else if (!options.recursive) {
        await p<void>((cb) => sftp.rmdir(loc.path, (err) => cb(err, undefined)));
      } else {
        // One `rm -rf` beats a round trip per file for a deep tree.
        const session = await this.sessions.get(loc);
        const r = await session.run(`rm -rf -- ${shellQuote(loc.path)}`);
        if (r.code !== 0) throw new Error(r.stderr.trim() || `rm exited with ${r.code}`);
      }
    } catch (err) {
      throw toFileSystemError(err, uri);
    }
    this.changed.fire([{ type: vscode.FileChangeType.Deleted, uri }]);
    this.sessions.changes.notify(loc, 'file');
  }

  async rename(oldUri: vscode.Uri, newUri: vscode.Uri, options: { readonly overwrite: boolean }): Promise<void> {
    const { sftp, loc } = await this.sftpFor(oldUri);
    const to = this.loc(newUri);
    if (to.playground !== loc.playground || to.machine !== loc.machine) {
      throw vscode.FileSystemError.NoPermissions('rename across machines is a copy; VS Code falls back to copy + delete');
    }
    const exists = await p<Stats>((cb) => sftp.lstat(to.path, cb)).then(
      () => true,
      () => false,
    );
    if (exists && !options.overwrite) throw vscode.FileSystemError.FileExists(newUri);
    try {
      // posix-rename replaces the target atomically; plain SFTP rename refuses to.
      await p<void>((cb) => sftp.ext_openssh_rename(loc.path, to.path, (err) => cb(err, undefined)));
    } catch (err) {
      throw toFileSystemError(err, oldUri);
    }
    this.changed.fire([
      { type: vscode.FileChangeType.Deleted, uri: oldUri },
      { type: vscode.FileChangeType.Created, uri: newUri },
    ]);
    this.sessions.changes.notify(loc, 'file');
  }

  private async requireParent(sftp: SFTPWrapper, loc: SandlotLocation, uri: vscode.Uri): Promise<void> {
    const parent = loc.path.replace(/\/[^/]*$/, '') || '/';
    const st = await p<Stats>((cb) => sftp.stat(parent, cb)).catch(() => undefined);
    if (!st) throw vscode.FileSystemError.FileNotFound(uri.with({ path: parent }));
    if (fileTypeOf(st.mode) !== vscode.FileType.Directory) throw vscode.FileSystemError.FileNotADirectory(uri.with({ path: parent }));
  }

  dispose(): void {
    this.owned.dispose();
  }
}

export async function statFollowing(sftp: SFTPWrapper, path: string): Promise<vscode.FileStat> {
  const l = await p<Stats>((cb) => sftp.lstat(path, cb));
  let type = fileTypeOf(l.mode);
  let s = l;
  if (type === vscode.FileType.SymbolicLink) {
    const target = await p<Stats>((cb) => sftp.stat(path, cb)).catch(() => undefined);
    if (target) {
      s = target;
      type |= fileTypeOf(target.mode);
    }
  }
  return {
    type,
    size: s.size,
    mtime: s.mtime * 1000,
    ctime: s.mtime * 1000,
    permissions: (s.mode & 0o222) === 0 ? vscode.FilePermission.Readonly : undefined,
  };
}
