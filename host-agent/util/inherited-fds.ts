// Descriptors a process inherited from whoever started it, without close-on-exec, pass on
// to every child it spawns. The agent's children include every process of every machine,
// so such a descriptor (a pipe of the starting shell, a directory of the host) would be
// open inside machines. Node opens all of its own descriptors with O_CLOEXEC, so the ones
// without it are exactly the inherited leaks.
import * as fs from 'node:fs';

const O_CLOEXEC = 0o2000000;

/** The close-on-exec flag of each open descriptor above 2, from /proc/self/fdinfo. */
export function descriptorFlags(procDir = '/proc/self'): Map<number, number> {
  const out = new Map<number, number>();
  let names: string[];
  try {
    names = fs.readdirSync(`${procDir}/fdinfo`);
  } catch {
    return out; // not Linux: nothing to inspect
  }
  for (const name of names) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd <= 2) continue;
    try {
      const m = /^flags:\s+([0-7]+)$/m.exec(fs.readFileSync(`${procDir}/fdinfo/${fd}`, 'utf8'));
      if (m) out.set(fd, parseInt(m[1], 8));
    } catch {
      // closed meanwhile (the directory listing itself)
    }
  }
  return out;
}

/** Closes every inherited descriptor above 2 that is not close-on-exec; returns their numbers. */
export function closeInheritedDescriptors(): number[] {
  const closed: number[] = [];
  for (const [fd, flags] of descriptorFlags()) {
    if (flags & O_CLOEXEC) continue;
    try {
      fs.closeSync(fd);
      closed.push(fd);
    } catch {
      // already closed
    }
  }
  return closed;
}
