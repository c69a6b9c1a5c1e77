import { describe, expect, it } from 'vitest';
import type { Content } from '../../../../host-agent/content/model';
import { previewView } from '../../../../extension/tutorial/preview-view';

describe('previewView', () => {
  it('shows the pages and the regular tasks as not started, without a playground', () => {
    const doc: Content = {
      name: 'mine',
      kind: 'challenge',
      format: 'iximiuz',
      title: 'Mine',
      description: '',
      dir: '/w/mine',
      playground: { template: 'linux' },
      tasks: {
        init_x: { name: 'init_x', kind: 'init', user: 'root', run: 'true', needs: [], env: [] },
        verify_a: { name: 'verify_a', kind: 'regular', user: 'root', run: 'true', needs: [], env: [], machine: 'web' },
        verify_q: { name: 'verify_q', kind: 'regular', user: 'root', run: 'true', needs: [], env: [], input: {} },
        helper: { name: 'helper', kind: 'helper', user: 'root', run: 'true', needs: [], env: [] },
      },
      pages: [],
    };
    const v = previewView(doc, { '__static__/a.png': 'vscode-resource:/a.png' });
    expect(v.playground).toBe('preview:/w/mine');
    expect(v.content).toEqual({ name: 'mine', kind: 'challenge', title: 'Mine', source: '/w/mine' });
    expect(Object.keys(v.tasks)).toEqual(['verify_a', 'verify_q']);
    expect(v.tasks.verify_a).toMatchObject({ status: 'created', machine: 'web', runs: 0 });
    expect(v.tasks.verify_q).toMatchObject({ status: 'created', machine: 'dev', input: true });
    expect(v.assets).toEqual({ '__static__/a.png': 'vscode-resource:/a.png' });
  });
});
