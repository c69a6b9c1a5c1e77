// Files in a machine for `sandlot mcp`, over SFTP through the agent's tunnel (bytes as
// they are, any size, no shell quoting): a capped read, a write, a directory listing.
// Errors say which path and what went wrong, in words a model can act on.
import * as path from 'node:path';
import type { FileEntryWithStats, SFTPWrapper, Stats } from 'ssh2';
import { ToolError } from './session';

/** SFTP status codes (draft-ietf-secsh-filexfer-02, what OpenSSH's sftp-server answers). */
const SFTP_EOF = 1;
const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;
const SFTP_FAILURE = 4;

const CHUNK = 64 * 1024;

const call = <T>(fn: (cb: (err: Error | null | undefined, v: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));

function sftpCode(err: unknown): number | undefined {
  return err && typeof err === 'object' && 'code' in err && typeof err.code === 'number' ? err.code : undefined;
}

/** An SFTP failure as one line naming the path. */
export function fileProblem(file: string, err: unknown): ToolError {
  const code = sftpCode(err);
  if (code === SFTP_NO_SUCH_FILE) return new ToolError(`${file}: no such file or directory`);
  if (code === SFTP_PERMISSION_DENIED) return new ToolError(`${file}: permission denied (try another user, e.g. root)`);
  return new ToolError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
}

export interface FileRead {
  path: string;
  /** Size of the whole file in bytes. */
  size: number;
  offset: number;
  /** Bytes returned, from `offset`: the next read of a truncated file starts at offset + bytesRead. */
  bytesRead: number;
  truncated: boolean;
  encoding: 'utf8' | 'base64';
  content: string;
}

/** Up to `maxBytes` of a regular file from `offset`; UTF-8 text as text, anything else as base64. */
export async function readFileCapped(sftp: SFTPWrapper, file: string, offset: number, maxBytes: number): Promise<FileRead> {
  const st = await call<Stats>((cb) => sftp.stat(file, cb)).catch((err: unknown) => {
    throw fileProblem(file, err);
  });
  if (st.isDirectory()) throw new ToolError(`${file} is a directory; list it with list_files`);
  if (!st.isFile()) throw new ToolError(`${file} is not a regular file`);
  const handle = await call<Buffer>((cb) => sftp.open(file, 'r', cb)).catch((err: unknown) => {
    throw fileProblem(file, err);
  });
  const parts: Buffer[] = [];
  let got = 0;
  let eof = false;
  try {
    // One byte past the cap tells a file that ends exactly there from a longer one (sizes of /proc files say 0).
    while (got < maxBytes + 1) {
      const want = Math.min(CHUNK, maxBytes + 1 - got);
      const n = await new Promise<number>((resolve, reject) =>
        sftp.read(handle, Buffer.alloc(want), 0, want, offset + got, (err, bytes, buf) => {
          if (err) return sftpCode(err) === SFTP_EOF ? resolve(0) : reject(err);
          parts.push(buf.subarray(0, bytes));
          resolve(bytes);
        }),
      );
      if (n === 0) {
        eof = true;
        break;
      }
      got += n;
    }
  } catch (err) {
    throw fileProblem(file, err);
  } finally {
    sftp.close(handle, () => undefined);
  }
  let bytes = Buffer.concat(parts);
  const truncated = !eof || bytes.length > maxBytes;
  if (bytes.length > maxBytes) bytes = bytes.subarray(0, maxBytes);
  const text = utf8Text(bytes, truncated);
  return {
    path: file,
    size: Math.max(st.size, offset + bytes.length),
    offset,
    bytesRead: text === undefined ? bytes.length : Buffer.byteLength(text),
    truncated,
    encoding: text === undefined ? 'base64' : 'utf8',
    content: text ?? bytes.toString('base64'),
  };
}

/**
 * The bytes as text when they are UTF-8 without NULs (binary files have them); a cut
 * through a character at the end of a truncated read is left for the next read.
 */
function utf8Text(bytes: Buffer, cut: boolean): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: cut });
  } catch {
    return undefined;
  }
}

export interface WriteOptions {
  /** Permission bits for a new file, e.g. 0o755. */
  mode?: number;
  /** Create missing parent directories. */
  makeParents: boolean;
}

/** Writes the whole file (created or replaced); mode applies to the new file and an existing one alike. */
export async function writeFileBytes(sftp: SFTPWrapper, file: string, data: Buffer, opts: WriteOptions): Promise<void> {
  if (opts.makeParents) await makeDirs(sftp, path.posix.dirname(file));
  await call<void>((cb) => sftp.writeFile(file, data, opts.mode === undefined ? {} : { mode: opts.mode }, (err) => cb(err, undefined))).catch(
    (err: unknown) => {
      if (sftpCode(err) === SFTP_NO_SUCH_FILE) throw new ToolError(`${file}: the directory ${path.posix.dirname(file)} does not exist (set makeParents: true)`);
      throw fileProblem(file, err);
    },
  );
  // sftp-server applies the mode only when it creates the file.
  if (opts.mode !== undefined)
    await call<void>((cb) => sftp.chmod(file, opts.mode!, (err) => cb(err, undefined))).catch((err: unknown) => {
      throw fileProblem(file, err);
    });
}

async function makeDirs(sftp: SFTPWrapper, dir: string): Promise<void> {
  const parts = dir.split('/').filter(Boolean);
  let at = dir.startsWith('/') ? '/' : '';
  for (const part of parts) {
    at = path.posix.join(at || '.', part);
    await call<void>((cb) => sftp.mkdir(at, (err) => cb(sftpCode(err) === SFTP_FAILURE ? undefined : err, undefined))).catch((err: unknown) => {
      throw fileProblem(at, err);
    });
  }
}

export interface DirEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  /** Permission bits in octal, e.g. "0644". */
  mode: string;
  modified: string;
}

/** A directory's entries sorted by name, at most `max` of them. */
export async function listDirectory(sftp: SFTPWrapper, dir: string, max: number): Promise<{ path: string; entries: DirEntry[]; truncated: boolean }> {
  const list = await call<FileEntryWithStats[]>((cb) => sftp.readdir(dir, cb)).catch(async (err: unknown) => {
    const st = await call<Stats>((cb) => sftp.stat(dir, cb)).catch(() => undefined);
    if (st && !st.isDirectory()) throw new ToolError(`${dir} is not a directory; read it with read_file`);
    throw fileProblem(dir, err);
  });
  const entries = list
    .filter((e) => e.filename !== '.' && e.filename !== '..')
    .sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0))
    .map((e): DirEntry => ({
      name: e.filename,
      type: e.attrs.isDirectory() ? 'directory' : e.attrs.isSymbolicLink() ? 'symlink' : e.attrs.isFile() ? 'file' : 'other',
      size: e.attrs.size,
      mode: `0${(e.attrs.mode & 0o7777).toString(8).padStart(3, '0')}`,
      modified: new Date(e.attrs.mtime * 1000).toISOString(),
    }));
  return { path: dir, entries: entries.slice(0, max), truncated: entries.length > max };
}
