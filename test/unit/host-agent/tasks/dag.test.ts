import { describe, expect, it } from 'vitest';
import { unmetNeeds, waves } from '../../../../host-agent/tasks/dag';

const t = (name: string, needs: string[] = []) => ({ name, needs });

describe('needs ordering', () => {
  it('groups tasks into parallel waves along needs', () => {
    expect(waves([t('d', ['b', 'c']), t('a'), t('b', ['a']), t('c', ['a']), t('e')])).toEqual([['a', 'e'], ['b', 'c'], ['d']]);
  });
  it('refuses cycles and unknown needs', () => {
    expect(() => waves([t('a', ['b']), t('b', ['a']), t('c')])).toThrow('tasks a, b need each other in a cycle');
    expect(() => waves([t('a', ['zz'])])).toThrow('task "a" needs unknown task "zz"');
  });
  it('reports unmet needs', () => {
    const status = (n: string) =>
      new Map([
        ['a', 'completed' as const],
        ['b', 'running' as const],
      ]).get(n);
    expect(unmetNeeds({ needs: ['a', 'b', 'c'] }, status)).toEqual(['b', 'c']);
  });
});
