import { describe, expect, it } from 'vitest';
import { longestParagraph, parseMarkdown, splitKillercodaFences } from '../../../../host-agent/content/markdown';

describe('parseMarkdown (MDC)', () => {
  it('reads simple-task slots, the task name and its line', () => {
    const md = [
      '# Title',
      '',
      '::simple-task',
      '---',
      ':tasks: tasks',
      ':name: verify_x',
      '---',
      '#active',
      'Waiting...',
      '',
      '#completed',
      'Done!',
      '::',
      '',
    ].join('\n');
    const out = parseMarkdown(md, 'mdc');
    expect(out.blocks[0]).toEqual({ type: 'heading', depth: 1, children: [{ type: 'text', value: 'Title' }] });
    expect(out.blocks[1]).toEqual({
      type: 'task',
      task: 'verify_x',
      input: false,
      slots: {
        active: [{ type: 'paragraph', children: [{ type: 'text', value: 'Waiting...' }] }],
        completed: [{ type: 'paragraph', children: [{ type: 'text', value: 'Done!' }] }],
      },
    });
    expect(out.refs).toEqual([{ kind: 'task', task: 'verify_x', component: 'simple-task', line: 3 }]);
  });

  it('accepts inline attributes as well as the YAML block, and unslotted content', () => {
    const out = parseMarkdown('::user-input-task{name="answer"}\nWhat is 6 × 7?\n::\n', 'mdc');
    expect(out.blocks[0]).toMatchObject({ type: 'task', task: 'answer', input: true, slots: { default: [{ type: 'paragraph' }] } });
  });

  it('reports a task component without a name', () => {
    const out = parseMarkdown('\n\n::simple-task\n#active\nx\n::\n', 'mdc');
    expect(out.problems).toEqual([{ line: 3, message: '::simple-task is missing its :name: (the task it shows)' }]);
  });

  it('maps the boxes with their titles and variants', () => {
    const md = [
      '::hint-box',
      '---',
      ':summary: Hint 1',
      '---',
      'Use `ls`.',
      '::',
      '::remark-box{color="yellow"}',
      'Careful.',
      '::',
      ':::details-box{title="Solution"}',
      '```sh',
      'ls -la',
      '```',
      ':::',
    ].join('\n');
    const out = parseMarkdown(md, 'mdc');
    expect(out.blocks).toEqual([
      {
        type: 'box',
        box: 'hint',
        title: 'Hint 1',
        children: [
          {
            type: 'paragraph',
            children: [
              { type: 'text', value: 'Use ' },
              { type: 'inlineCode', value: 'ls' },
              { type: 'text', value: '.' },
            ],
          },
        ],
      },
      { type: 'box', box: 'remark', variant: 'yellow', children: [{ type: 'paragraph', children: [{ type: 'text', value: 'Careful.' }] }] },
      { type: 'box', box: 'details', title: 'Solution', children: [{ type: 'code', lang: 'sh', value: 'ls -la', actions: ['run', 'copy'] }] },
    ]);
  });

  it('reads image-box from attributes or from a markdown image inside', () => {
    const a = parseMarkdown('::image-box\n---\n:src: __static__/a.png\n:alt: A\n:width: 50%\n---\n::\n', 'mdc');
    expect(a.blocks[0]).toEqual({ type: 'image', src: '__static__/a.png', alt: 'A', width: '50%' });
    const b = parseMarkdown('::image-box\n![The B](__static__/b.svg)\n::\n', 'mdc');
    expect(b.blocks[0]).toEqual({ type: 'image', src: '__static__/b.svg', alt: 'The B' });
    const c = parseMarkdown('::image-box\n::\n', 'mdc');
    expect(c.problems[0].message).toMatch(/no :src:/);
  });

  it('keeps prose colons as text and unknown components as components', () => {
    const out = parseMarkdown('Map key:value and port 8080:80, press :kbd[Ctrl].\n\n::fancy-thing{a="1"}\nInner\n::\n', 'mdc');
    const para = out.blocks[0];
    expect(para.type).toBe('paragraph');
    const text = para.type === 'paragraph' ? para.children.map((c) => ('value' in c ? c.value : '')).join('') : '';
    expect(text).toBe('Map key:value and port 8080:80, press Ctrl.');
    expect(out.blocks[1]).toMatchObject({ type: 'component', name: 'fancy-thing', attributes: { a: '1' } });
  });

  it('only shell code blocks get a run action', () => {
    const out = parseMarkdown('```zig\nconst x = 1;\n```\n\n```bash\necho hi\n```\n', 'mdc');
    expect(out.blocks.map((b) => (b.type === 'code' ? b.actions : []))).toEqual([['copy'], ['run', 'copy']]);
  });

  it('separates the front matter and counts its line', () => {
    const out = parseMarkdown('---\nkind: tutorial\n---\nBody\n', 'mdc');
    expect(out.frontMatter).toBe('kind: tutorial');
    expect(out.frontMatterLine).toBe(2);
    expect(out.blocks).toHaveLength(1);
  });

  it('reads GFM tables, task lists and reference links', () => {
    const out = parseMarkdown('| a | b |\n|:--|--:|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\nSee [docs][d].\n\n[d]: https://example.com "Docs"\n', 'mdc');
    expect(out.blocks[0]).toMatchObject({ type: 'table', align: ['left', 'right'] });
    expect(out.blocks[1]).toMatchObject({ type: 'list', items: [{ checked: true }, { checked: false }] });
    expect(out.blocks[2]).toMatchObject({
      type: 'paragraph',
      children: [{ type: 'text' }, { type: 'link', url: 'https://example.com', title: 'Docs' }, { type: 'text' }],
    });
  });
});

describe('Killercoda markdown', () => {
  it('moves an action marker off the closing fence', () => {
    expect(splitKillercodaFences('```\nls\n```{{exec}}\ntext')).toBe('```\nls\n```\n{{exec}}\ntext');
    // inside a fence, a line that only looks like a marker after an opening fence stays
    expect(splitKillercodaFences('````\n```{{exec}}\n````')).toBe('````\n```{{exec}}\n````');
  });

  it('attaches {{exec}} / {{copy}} to code blocks and inline code', () => {
    const md = 'Run:\n\n```\nuname -a\n```{{exec}}\n\nThen `whoami`{{execute interrupt}} and `cat x`{{copy}} please.\n\n```\ntop\n```\n';
    const out = parseMarkdown(md, 'killercoda');
    expect(out.blocks[1]).toEqual({ type: 'code', value: 'uname -a', actions: ['run', 'copy'] });
    expect(out.blocks[2]).toEqual({
      type: 'paragraph',
      children: [
        { type: 'text', value: 'Then ' },
        { type: 'inlineCode', value: 'whoami', actions: ['run', 'copy'], interrupt: true },
        { type: 'text', value: ' and ' },
        { type: 'inlineCode', value: 'cat x', actions: ['copy'] },
        { type: 'text', value: ' please.' },
      ],
    });
    expect(out.blocks[3]).toEqual({ type: 'code', value: 'top', actions: ['copy'] });
  });

  it('does not read MDC syntax in Killercoda text', () => {
    const out = parseMarkdown('::simple-task\nnot a component\n::\n', 'killercoda');
    expect(out.refs).toEqual([]);
    expect(out.blocks[0].type).toBe('paragraph');
  });
});

describe('parse cost', () => {
  it('still links bare URLs (without the quadratic autolink syntax)', () => {
    const out = parseMarkdown('See https://example.com/a?b=1 and www.example.org, or mail me@example.net.\n', 'mdc');
    expect(out.blocks[0]).toMatchObject({
      type: 'paragraph',
      children: [
        { type: 'text', value: 'See ' },
        { type: 'link', url: 'https://example.com/a?b=1' },
        { type: 'text', value: ' and ' },
        { type: 'link', url: 'http://www.example.org' },
        { type: 'text', value: ', or mail ' },
        { type: 'link', url: 'mailto:me@example.net' },
        { type: 'text', value: '.' },
      ],
    });
  });

  // The autolink-literal syntax made this quadratic. (A `:` per word still is, in MDC's
  // inline syntax: the 32 KiB paragraph cap bounds that.)
  it('parses a long paragraph of words and bare www links in time linear in its length', () => {
    const paragraph = (bytes: number) => 'word www.example.org and more words\n'.repeat(Math.ceil(bytes / 36));
    // The fastest of five: a busy host (or a collection in the test worker) only ever adds time.
    const time = (text: string) =>
      Math.min(
        ...[1, 2, 3, 4, 5].map(() => {
          const t0 = performance.now();
          parseMarkdown(text, 'mdc');
          return performance.now() - t0;
        }),
      );
    time(paragraph(20_000)); // warm up
    const small = time(paragraph(100_000));
    const large = time(paragraph(200_000));
    // Twice the text: about twice the time when linear, four times when quadratic. (The
    // autolink syntax's cost shows only past ~400 KB: 0.8 MB took 7.6 s, now 1.4 s — see
    // bench/RESULTS.md; this keeps the parse from growing faster than the text again.)
    expect(large / small, `${small.toFixed(0)} ms → ${large.toFixed(0)} ms`).toBeLessThan(3.2);
  }, 60_000);

  it('measures the longest paragraph outside code and front matter', () => {
    const text = ['---', 'title: x', 'a: b', '---', 'one', 'two', '', '```', 'code code code code code', 'more code', '```', 'three', ''].join('\n');
    expect(longestParagraph(text)).toEqual({ line: 5, endLine: 6, bytes: 8 });
  });

  it('refuses a paragraph over the cap with its lines, size and the cap', () => {
    const text = `---\ntitle: x\n---\nintro\n\n${'abc def\n'.repeat(10)}\nend\n`;
    const out = parseMarkdown(text, 'mdc', { maxParagraphBytes: 50 });
    expect(out.blocks).toEqual([]);
    expect(out.frontMatter).toBe('title: x\n');
    expect(out.problems).toEqual([
      { line: 6, message: 'lines 6–15 hold 80 bytes without a blank line, more than the 50 bytes one paragraph may have (split it with blank lines)' },
    ]);
  });
});
