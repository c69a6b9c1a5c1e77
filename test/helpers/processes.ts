// Processes as /proc shows them: the descendants of a process (what an agent started),
// and whether a recorded one still exists (same pid and start time, so a reused pid
// does not count).
import * as fs from 'node:fs';

export interface ProcessRef {
  pid: number;
  /** Start time in clock ticks after boot (field 22 of /proc/<pid>/stat). */
  start: number;
  cmd: string;
}

function stat(pid: number): { ppid: number; start: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(rest[1]), start: Number(rest[19]) };
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim().slice(0, 120);
  } catch {
    return '';
  }
}

/** Every living descendant of `root` (children, their children, …). */
export function descendants(root: number): ProcessRef[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(Number(name));
    children.set(s.ppid, list);
  }
  const out: ProcessRef[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      const s = stat(child);
      if (s) out.push({ pid: child, start: s.start, cmd: cmdline(child) });
      walk(child);
    }
  };
  walk(root);
  return out;
}

/** The recorded processes that still run. */
export function stillRunning(refs: ProcessRef[]): ProcessRef[] {
  return refs.filter((r) => stat(r.pid)?.start === r.start);
}
