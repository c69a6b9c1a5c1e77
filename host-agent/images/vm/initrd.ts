// Builds the initrd from a finished rootfs: its static busybox, the modules the root disk
// needs (in load order, from the rootfs's own modules.dep) and the initrd init.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { cpioArchive, type CpioEntry } from './cpio';
import { INITRD_INIT, INITRD_MODULES } from './guest-scripts';
import { loadOrder, parseBuiltin, parseModulesDep } from './modules';

export function buildInitrd(rootfs: string, kernelVersion: string): Buffer {
  const busybox = path.join(rootfs, 'bin', 'busybox');
  if (!fs.existsSync(busybox)) throw new Error(`initrd: ${busybox} is missing (the vm layer installs busybox-static)`);
  const modDir = path.join(rootfs, 'lib', 'modules', kernelVersion);
  const dep = parseModulesDep(fs.readFileSync(path.join(modDir, 'modules.dep'), 'utf8'));
  const builtinFile = path.join(modDir, 'modules.builtin');
  const builtin = fs.existsSync(builtinFile) ? parseBuiltin(fs.readFileSync(builtinFile, 'utf8')) : new Set<string>();
  const order = loadOrder(dep, INITRD_MODULES, builtin);
  const entries: CpioEntry[] = [
    { name: 'bin', type: 'dir', mode: 0o755 },
    { name: 'dev', type: 'dir', mode: 0o755 },
    { name: 'proc', type: 'dir', mode: 0o755 },
    { name: 'root', type: 'dir', mode: 0o755 },
    { name: 'lib', type: 'dir', mode: 0o755 },
    { name: 'bin/busybox', type: 'file', mode: 0o755, data: fs.readFileSync(busybox) },
    { name: 'bin/sh', type: 'symlink', mode: 0o777, data: 'busybox' },
    { name: 'init', type: 'file', mode: 0o755, data: INITRD_INIT },
    { name: 'modules.order', type: 'file', mode: 0o644, data: order.map((m) => `lib/${path.basename(m)}\n`).join('') },
  ];
  for (const m of order) entries.push({ name: `lib/${path.basename(m)}`, type: 'file', mode: 0o644, data: fs.readFileSync(path.join(modDir, m)) });
  return gzipSync(cpioArchive(entries));
}
