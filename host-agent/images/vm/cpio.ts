// A "newc" cpio archive writer: the format the Linux kernel unpacks as an initramfs.
// Our initrd holds a handful of files (busybox, a few modules, /init), so building it in
// memory here saves depending on the host's cpio or initramfs-tools.

export interface CpioEntry {
  /** Path inside the archive, without a leading slash (e.g. `bin/busybox`). */
  name: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  /** File content, or the link target for a symlink. */
  data?: Buffer | string;
}

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function pad4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

function header(ino: number, mode: number, nlink: number, size: number, nameSize: number): string {
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  return [
    '070701',
    hex8(ino),
    hex8(mode),
    hex8(0),
    hex8(0),
    hex8(nlink),
    hex8(0),
    hex8(size),
    hex8(0),
    hex8(0),
    hex8(0),
    hex8(0),
    hex8(nameSize),
    hex8(0),
  ].join('');
}

function record(ino: number, name: string, mode: number, nlink: number, data: Buffer): Buffer[] {
  const nameBuf = Buffer.from(`${name}\0`);
  const head = Buffer.concat([Buffer.from(header(ino, mode, nlink, data.length, nameBuf.length)), nameBuf]);
  return [head, pad4(head.length), data, pad4(data.length)];
}

/** The archive, entries in the given order (parents must come before children). */
export function cpioArchive(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    if (e.name.startsWith('/') || e.name === '') throw new Error(`cpio entry "${e.name}": expected a relative path`);
    const data = e.type === 'dir' ? Buffer.alloc(0) : Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '');
    const kind = e.type === 'dir' ? S_IFDIR : e.type === 'symlink' ? S_IFLNK : S_IFREG;
    parts.push(...record(ino++, e.name, kind | (e.mode & 0o7777), e.type === 'dir' ? 2 : 1, data));
  }
  parts.push(...record(ino, 'TRAILER!!!', 0, 1, Buffer.alloc(0)));
  return Buffer.concat(parts);
}
