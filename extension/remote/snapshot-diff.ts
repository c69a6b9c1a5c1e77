// What changed between two looks at one watched path. Pure, so the poller's event
// logic is unit-tested; fs-watch.ts turns the result into FileChangeEvents.

export type Snapshot = { kind: 'file'; sig: string } | { kind: 'dir'; entries: Map<string, string> } | { kind: 'missing' };

export interface SnapshotChange {
  type: 'created' | 'changed' | 'deleted';
  /** Entry name inside a watched directory; undefined for the watched path itself. */
  child?: string;
}

/** A stat signature: changes whenever type/permissions, size or mtime do. */
export function signature(a: { mode: number; size: number; mtime: number }): string {
  return `${a.mode}:${a.size}:${a.mtime}`;
}

export function diffSnapshots(prev: Snapshot, next: Snapshot): SnapshotChange[] {
  if (prev.kind === 'missing' && next.kind === 'missing') return [];
  if (prev.kind === 'missing') return [{ type: 'created' }];
  if (next.kind === 'missing') return [{ type: 'deleted' }];
  if (prev.kind === 'file' && next.kind === 'file') return prev.sig === next.sig ? [] : [{ type: 'changed' }];
  // Neither is missing and not both are files: anything but two directories is a change of kind.
  if (prev.kind !== 'dir' || next.kind !== 'dir') return [{ type: 'changed' }];
  const out: SnapshotChange[] = [];
  const before = prev.entries;
  const after = next.entries;
  for (const [name, sig] of after) {
    const was = before.get(name);
    if (was === undefined) out.push({ type: 'created', child: name });
    else if (was !== sig) out.push({ type: 'changed', child: name });
  }
  for (const name of before.keys()) if (!after.has(name)) out.push({ type: 'deleted', child: name });
  return out;
}
