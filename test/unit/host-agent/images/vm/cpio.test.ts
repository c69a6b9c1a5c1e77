import { describe, expect, it } from 'vitest';
import { cpioArchive } from '../../../../../host-agent/images/vm/cpio';

/** Reads a newc archive back (the kernel's initramfs unpacker reads the same fields). */
function readCpio(buf: Buffer): Array<{ name: string; mode: number; data: string }> {
  const out: Array<{ name: string; mode: number; data: string }> = [];
  let off = 0;
  const align = (n: number) => (n + 3) & ~3;
  for (;;) {
    const head = buf.subarray(off, off + 110).toString('ascii');
    expect(head.slice(0, 6)).toBe('070701');
    const field = (i: number) => parseInt(head.slice(6 + i * 8, 14 + i * 8), 16);
    const mode = field(1);
    const size = field(6);
    const nameSize = field(11);
    const name = buf.subarray(off + 110, off + 110 + nameSize - 1).toString();
    off = align(off + 110 + nameSize);
    const data = buf.subarray(off, off + size).toString();
    off = align(off + size);
    if (name === 'TRAILER!!!') return out;
    out.push({ name, mode, data });
  }
}

describe('cpioArchive', () => {
  it('writes newc entries the kernel can unpack: files, directories, symlinks, trailer', () => {
    const buf = cpioArchive([
      { name: 'bin', type: 'dir', mode: 0o755 },
      { name: 'bin/sh', type: 'symlink', mode: 0o777, data: 'busybox' },
      { name: 'init', type: 'file', mode: 0o755, data: '#!/bin/sh\necho hi\n' },
      { name: 'odd', type: 'file', mode: 0o600, data: Buffer.from([1, 2, 3]) },
    ]);
    expect(buf.length % 4).toBe(0);
    const entries = readCpio(buf);
    expect(entries.map((e) => [e.name, e.mode.toString(8)])).toEqual([
      ['bin', '40755'],
      ['bin/sh', '120777'],
      ['init', '100755'],
      ['odd', '100600'],
    ]);
    expect(entries[1].data).toBe('busybox');
    expect(entries[2].data).toBe('#!/bin/sh\necho hi\n');
  });

  it('refuses absolute or empty names', () => {
    expect(() => cpioArchive([{ name: '/init', type: 'file', mode: 0o755, data: '' }])).toThrow('cpio entry "/init": expected a relative path');
    expect(() => cpioArchive([{ name: '', type: 'dir', mode: 0o755 }])).toThrow('expected a relative path');
  });
});
