import { describe, expect, it } from 'vitest';
import type { PlaygroundRecord } from '../../../../host-agent/api/protocol';
import { playgroundsOfContentFile } from '../../../../extension/tutorial/content-folder';

const pg = (id: string, source: string | undefined, state: PlaygroundRecord['state'] = 'running'): PlaygroundRecord => ({
  id,
  template: 'linux',
  title: 'L',
  driver: 'sandbox',
  state,
  createdAt: '',
  deadline: '',
  machines: [],
  userPublicKey: '',
  ...(source === undefined ? {} : { content: { name: 'x', kind: 'challenge', title: 'X', source } }),
});

describe('playgroundsOfContentFile', () => {
  const list = [
    pg('pg-a', '/w/my-challenge'),
    pg('pg-b', '/w/my-challenge-2'),
    pg('pg-c', '/w/my-challenge', 'stopped'),
    pg('pg-d', undefined),
    pg('pg-e', 'linux-basics'),
  ];

  it('finds the running playgrounds whose content folder holds the file, at any depth', () => {
    expect(playgroundsOfContentFile('/w/my-challenge/index.md', list)).toEqual(['pg-a']);
    expect(playgroundsOfContentFile('/w/my-challenge/assets/setup.sh', list)).toEqual(['pg-a']);
    expect(playgroundsOfContentFile('/w/my-challenge-2/index.md', list)).toEqual(['pg-b']);
  });

  it('ignores files outside every content folder, the folder itself and names that are not folders', () => {
    expect(playgroundsOfContentFile('/w/other/index.md', list)).toEqual([]);
    expect(playgroundsOfContentFile('/w/my-challenge', list)).toEqual([]);
    expect(playgroundsOfContentFile('/w/index.md', list)).toEqual([]);
  });
});
