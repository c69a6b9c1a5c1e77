import { describe, expect, it } from 'vitest';
import { diffSnapshots, signature, type Snapshot } from '../../../../extension/remote/snapshot-diff';

const file = (size: number, mtime = 1): Snapshot => ({ kind: 'file', sig: signature({ mode: 0o100644, size, mtime }) });
const dir = (entries: Record<string, string>): Snapshot => ({ kind: 'dir', entries: new Map(Object.entries(entries)) });
const missing: Snapshot = { kind: 'missing' };

describe('diffSnapshots', () => {
  it('reports a watched file appearing, changing and disappearing', () => {
    expect(diffSnapshots(missing, file(1))).toEqual([{ type: 'created' }]);
    expect(diffSnapshots(file(1), file(2))).toEqual([{ type: 'changed' }]);
    expect(diffSnapshots(file(1, 1), file(1, 2))).toEqual([{ type: 'changed' }]);
    expect(diffSnapshots(file(1), missing)).toEqual([{ type: 'deleted' }]);
    expect(diffSnapshots(file(1), file(1))).toEqual([]);
    expect(diffSnapshots(missing, missing)).toEqual([]);
  });

  it('reports directory entries by name', () => {
    const changes = diffSnapshots(dir({ a: '1', b: '1', c: '1' }), dir({ a: '1', b: '2', d: '1' }));
    expect(changes).toEqual([
      { type: 'changed', child: 'b' },
      { type: 'created', child: 'd' },
      { type: 'deleted', child: 'c' },
    ]);
  });

  it('treats a file that became a directory as a change of the path', () => {
    expect(diffSnapshots(file(1), dir({}))).toEqual([{ type: 'changed' }]);
  });
});
