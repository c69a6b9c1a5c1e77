// Whole-file SFTP reads and writes with several requests in flight: one request at a
// time is bound by the tunnel's round trip (agent WebSocket + SSH), not by bandwidth.
// No vscode import, so the benchmarks use the same code.
import type { Attributes, SFTPWrapper, Stats } from 'ssh2';
import { SFTP_EOF, sftpStatus } from './sftp-status';

function p<T>(fn: (cb: (err: Error | null | undefined, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

const CHUNK = 64 * 1024;
const IN_FLIGHT = 16;

export async function readAll(sftp: SFTPWrapper, path: string): Promise<Uint8Array> {
  const handle = await p<Buffer>((cb) => sftp.open(path, 'r', cb));
  try {
    const st = await p<Stats>((cb) => sftp.fstat(handle, cb));
    const parts: Buffer[] = [];
    let offset = 0;
    let eof = false;
    // Ask for the known size in parallel chunks, then keep reading until EOF in case the
    // file grew (or is a /proc-style file whose size says 0).
    while (!eof) {
      const batch: Promise<Buffer>[] = [];
      const want = Math.max(st.size - offset, CHUNK);
      for (let i = 0; i < IN_FLIGHT && i * CHUNK < want; i++) {
        const at = offset + i * CHUNK;
        batch.push(
          new Promise((resolve, reject) =>
            sftp.read(handle, Buffer.alloc(CHUNK), 0, CHUNK, at, (err, n, buf) => {
              if (sftpStatus(err) === SFTP_EOF) return resolve(Buffer.alloc(0)); // EOF
              if (err) return reject(err);
              resolve(buf.subarray(0, n));
            }),
          ),
        );
      }
      const got = await Promise.all(batch);
      for (const b of got) {
        if (b.length === 0) {
          eof = true;
          break;
        }
        parts.push(b);
        offset += b.length;
        if (b.length < CHUNK) {
          // A short read ends the file, unless the server just gave less than asked:
          // then the rest of this batch is misaligned; read on from here.
          eof = offset >= st.size;
          break;
        }
      }
    }
    return Buffer.concat(parts);
  } finally {
    sftp.close(handle, () => undefined);
  }
}

export async function writeAll(sftp: SFTPWrapper, path: string, content: Uint8Array): Promise<void> {
  const handle = await p<Buffer>((cb) => sftp.open(path, 'w', cb));
  try {
    const data = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    const writes: Promise<void>[] = [];
    for (let at = 0; at < data.length; at += CHUNK) {
      const len = Math.min(CHUNK, data.length - at);
      writes.push(p<void>((cb) => sftp.write(handle, data, at, len, at, (err) => cb(err, undefined))));
      if (writes.length >= IN_FLIGHT) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
  } finally {
    await p<void>((cb) => sftp.close(handle, (err) => cb(err, undefined)));
  }
}

export const S_IFMT = 0o170000;
export const S_IFLNK = 0o120000;

export interface DirEntry {
  name: string;
  mode: number;
  /** For a symbolic link: the mode of what it points to (undefined when dangling). */
  targetMode?: number;
}

/** A directory's entries; links are followed (in parallel) so their target type is known. */
export async function listDirectory(sftp: SFTPWrapper, dir: string): Promise<DirEntry[]> {
  const entries = await p<{ filename: string; attrs: Attributes }[]>((cb) => sftp.readdir(dir, cb));
  return Promise.all(
    entries
      .filter((e) => e.filename !== '.' && e.filename !== '..')
      .map(async (e): Promise<DirEntry> => {
        if ((e.attrs.mode & S_IFMT) !== S_IFLNK) return { name: e.filename, mode: e.attrs.mode };
        const full = dir === '/' ? `/${e.filename}` : `${dir}/${e.filename}`;
        const target = await p<Stats>((cb) => sftp.stat(full, cb)).catch(() => undefined);
        return { name: e.filename, mode: e.attrs.mode, targetMode: target?.mode };
      }),
  );
}
