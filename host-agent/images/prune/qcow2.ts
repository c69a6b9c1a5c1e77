// The backing chain of a qcow2 file, read from the headers themselves. `qemu-img info`
// would do, but it takes the image lock and so fails on the disk of a running VM unless
// told to share (-U); and a prune should not need QEMU installed to know what is in use.
import * as fs from 'node:fs';
import * as path from 'node:path';

const QCOW2_MAGIC = 0x514649fb; // "QFI\xfb"
const MAX_CHAIN = 16;

/** The file's backing file as an absolute path, or undefined when it has none (or is raw). */
export function qcow2BackingFile(file: string, { rawOk = false } = {}): string | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(20);
    if (fs.readSync(fd, header, 0, 20, 0) < 20 || header.readUInt32BE(0) !== QCOW2_MAGIC) {
      if (rawOk) return undefined;
      throw new Error(`${file}: not a qcow2 image`);
    }
    const offset = Number(header.readBigUInt64BE(8));
    const size = header.readUInt32BE(16);
    if (offset === 0 || size === 0) return undefined;
    if (size > 4096) throw new Error(`${file}: backing file name of ${size} bytes; expected at most 4096`);
    const name = Buffer.alloc(size);
    fs.readSync(fd, name, 0, size, offset);
    // QEMU resolves a relative backing name against the overlay's own directory.
    return path.resolve(path.dirname(file), name.toString('utf8'));
  } finally {
    fs.closeSync(fd);
  }
}

/** Every file under `file` (not including it), nearest first. */
export function qcow2BackingChain(file: string): string[] {
  const chain: string[] = [];
  // A backing file may be raw (no header, the end of the chain) or already gone.
  for (let f = qcow2BackingFile(file); f; f = fs.existsSync(f) ? qcow2BackingFile(f, { rawOk: true }) : undefined) {
    if (chain.includes(f) || chain.length >= MAX_CHAIN) throw new Error(`${file}: backing chain loops or is deeper than ${MAX_CHAIN}`);
    chain.push(f);
  }
  return chain;
}
