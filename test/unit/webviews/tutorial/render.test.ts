import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../../../host-agent/api/protocol';
import { TemplateCatalog } from '../../../../host-agent/playgrounds/catalog';
import { loadContent } from '../../../../host-agent/content/load';
import type { Page } from '../../../../host-agent/content/model';
import type { TutorialView } from '../../../../webviews/tutorial/protocol';
import { progress, renderView, taskNamesOf } from '../../../../webviews/tutorial/render';
import { attrAllowed, textOf, walk, type VNode } from '../../../../webviews/shared/vnode';

const task = (name: string, status: TaskRecord['status'], extra: Partial<TaskRecord> = {}): TaskRecord => ({
  name,
  kind: 'regular',
  machine: 'dev',
  user: 'root',
  status,
  runs: 1,
  ...extra,
});

const view = (pages: Page[], tasks: Record<string, TaskRecord> = {}, assets: Record<string, string> = {}): TutorialView => ({
  playground: 'pg-abc123',
  title: 'T',
  kind: 'challenge',
  content: { name: 't', kind: 'challenge', title: 'T', state: 'ready' },
  pages,
  tasks,
  assets,
});

const nodes = (v: VNode) => [...walk(v)];

describe('renderView sanitizing', () => {
  const hostile: Page = {
    title: 'x',
    blocks: [
      { type: 'html', value: '<script>alert(1)</script>' },
      {
        type: 'paragraph',
        children: [
          { type: 'html', value: '<img src=x onerror="alert(1)">' },
          { type: 'link', url: 'javascript:alert(1)', children: [{ type: 'text', value: 'click' }] },
          { type: 'image', src: 'javascript:alert(2)', alt: 'bad' },
          { type: 'link', url: 'https://example.com/', children: [{ type: 'text', value: 'ok' }] },
        ],
      },
      { type: 'image', src: 'data:text/html,<script>alert(3)</script>', alt: 'data' },
      { type: 'code', lang: 'sh" onclick="x', value: '<script>x</script>', actions: ['run', 'copy'] },
    ],
  };

  it('emits no script element, no on* attribute and no javascript: or data: URL', () => {
    const all = nodes(renderView(view([hostile])));
    expect(all.some((n) => n.tag === 'script')).toBe(false);
    for (const n of all) {
      for (const [k, v] of Object.entries(n.attrs ?? {})) {
        expect(k.toLowerCase().startsWith('on'), `${n.tag}[${k}]`).toBe(false);
        if (k === 'href' || k === 'src') expect(v).toMatch(/^https:\/\//);
        // Everything the renderer emits passes mount's allow-list, so nothing is silently dropped.
        expect(attrAllowed(k, v), `${n.tag}[${k}=${v}]`).toBe(true);
      }
    }
    const imgs = all.filter((n) => n.tag === 'img');
    expect(imgs).toEqual([]);
  });

  it('shows raw HTML from content as text', () => {
    const text = textOf(renderView(view([hostile])));
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('<img src=x onerror="alert(1)">');
  });

  it('keeps safe links and strips unsafe ones to text', () => {
    const links = nodes(renderView(view([hostile]))).filter((n) => n.tag === 'a');
    expect(links.map((l) => l.attrs?.href)).toEqual(['https://example.com/']);
  });
});

describe('renderView tasks', () => {
  const page: Page = {
    title: 'p',
    blocks: [
      {
        type: 'task',
        task: 'verify_a',
        input: false,
        slots: {
          active: [{ type: 'paragraph', children: [{ type: 'text', value: 'Make the directory' }] }],
          completed: [{ type: 'paragraph', children: [{ type: 'text', value: 'Well done' }] }],
        },
      },
      { type: 'task', task: 'answer_b', input: true, slots: { active: [{ type: 'paragraph', children: [{ type: 'text', value: 'How many?' }] }] } },
      { type: 'image', src: '__static__/pic.png', alt: 'pic' },
    ],
  };

  it('shows the active slot, a spinner and the live hint while a task is pending', () => {
    const v = renderView(view([page], { verify_a: task('verify_a', 'running', { hint: 'not a directory' }) }));
    const t = nodes(v).find((n) => n.attrs?.['data-task'] === 'verify_a')!;
    expect(t.attrs?.['data-status']).toBe('running');
    expect(textOf(t)).toContain('Make the directory');
    expect(textOf(t)).not.toContain('Well done');
    expect(textOf(t)).toContain('not a directory');
    expect(nodes(t).some((n) => n.attrs?.class?.includes('spinner'))).toBe(true);
  });

  it('switches to the completed slot with a check, and drops the hint', () => {
    const v = renderView(view([page], { verify_a: task('verify_a', 'completed', { hint: 'stale' }) }));
    const t = nodes(v).find((n) => n.attrs?.['data-task'] === 'verify_a')!;
    expect(textOf(t)).toContain('Well done');
    expect(textOf(t)).toContain('✔');
    expect(textOf(t)).not.toContain('stale');
  });

  it('shows a cross on failure', () => {
    const t = nodes(renderView(view([page], { verify_a: task('verify_a', 'failed') }))).find((n) => n.attrs?.['data-task'] === 'verify_a')!;
    expect(textOf(t)).toContain('✘');
  });

  it('offers an answer box for input tasks, filled from the saved draft', () => {
    const v = renderView(view([page], { answer_b: task('answer_b', 'created', { input: true }) }), { answer_b: '42' });
    const input = nodes(v).find((n) => n.tag === 'input' && n.attrs?.['data-task'] === 'answer_b');
    expect(input?.attrs?.value).toBe('42');
  });

  it('counts done/total over the tasks the page shows', () => {
    const v = view([page], {
      verify_a: task('verify_a', 'completed'),
      answer_b: task('answer_b', 'running'),
      helper: task('helper', 'completed', { kind: 'helper', hidden: true }),
    });
    expect(progress(v)).toEqual({ done: 1, total: 2 });
    expect(textOf(renderView(v))).toContain('1/2 done');
  });

  it('resolves __static__ images through the host-made webview URIs only', () => {
    const withAsset = nodes(renderView(view([page], {}, { '__static__/pic.png': 'https://file+.vscode-resource.vscode-cdn.net/c/__static__/pic.png' })));
    expect(withAsset.find((n) => n.tag === 'img')?.attrs?.src).toBe('https://file+.vscode-resource.vscode-cdn.net/c/__static__/pic.png');
    const without = nodes(renderView(view([page])));
    expect(without.find((n) => n.tag === 'img')).toBeUndefined();
  });
});

describe('renderView on built-in content', () => {
  const root = path.resolve(__dirname, '../../../..');
  const content = loadContent(
    path.join(root, 'builtin-content', 'linux-basics'),
    new TemplateCatalog([{ dir: path.join(root, 'host-agent', 'templates'), source: 'builtin' }]),
  );

  it('renders every task block of linux-basics with run and copy buttons on code', () => {
    const v = renderView(view(content.pages));
    const taskBlocks = nodes(v).filter((n) => n.attrs?.class?.startsWith('task ') && n.attrs?.['data-task']);
    expect(taskBlocks.map((n) => n.attrs?.['data-task'])).toEqual(taskNamesOf(content.pages));
    expect(taskBlocks.length).toBeGreaterThan(0);
    for (const name of taskNamesOf(content.pages)) expect(content.tasks[name], name).toBeDefined();
    expect(nodes(v).some((n) => n.attrs?.['data-action'] === 'copy')).toBe(true);
  });
});
