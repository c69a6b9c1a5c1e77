// Content document → VNode tree. Pure: the model already holds the parsed markdown, so
// this only maps nodes to allowed tags; raw HTML from the markdown is shown as text.
import type { TaskRecord } from '../../host-agent/api/protocol';
import type { Block, CodeBlock, Inline, Page, TaskBlock } from '../../host-agent/content/model';
import type { TutorialView } from './protocol';
import type { AnswerResult } from './state';
import { h, safeUrl, type Child, type VNode } from '../shared/vnode';

interface Ctx {
  tasks: Record<string, TaskRecord>;
  assets: Record<string, string>;
  /** Drafts of user-input answers, kept across re-renders and reloads. */
  drafts: Record<string, string>;
  /** Verdicts on submitted answers. */
  answers: Record<string, AnswerResult>;
  /** Pages read without a playground (a course, a skill path): tasks have not started. */
  readOnly?: boolean;
}

/** Task names shown to the learner: those with a task block, in page order. */
export function taskNamesOf(pages: Page[]): string[] {
  const names: string[] = [];
  const visit = (blocks: Block[]) => {
    for (const b of blocks) {
      if (b.type === 'task') {
        if (!names.includes(b.task)) names.push(b.task);
        Object.values(b.slots).forEach(visit);
      } else if (b.type === 'blockquote' || b.type === 'box' || b.type === 'component') visit(b.children);
      else if (b.type === 'list') b.items.forEach((i) => visit(i.children));
    }
  };
  pages.forEach((p) => visit(p.blocks));
  return names;
}

export function progress(view: Pick<TutorialView, 'pages' | 'tasks'>): { done: number; total: number } {
  let names = taskNamesOf(view.pages);
  if (names.length === 0)
    names = Object.values(view.tasks)
      .filter((t) => t.kind === 'regular' && !t.hidden)
      .map((t) => t.name);
  return { done: names.filter((n) => view.tasks[n]?.status === 'completed').length, total: names.length };
}

export function renderView(view: TutorialView, drafts: Record<string, string> = {}, answers: Record<string, AnswerResult> = {}): VNode {
  const ctx: Ctx = { tasks: view.tasks, assets: view.assets, drafts, answers };
  const { done, total } = progress(view);
  const state = view.content?.state;
  return h(
    'div',
    { class: 'tutorial' },
    h(
      'header',
      { class: 'tutorial-header' },
      view.from ? h('button', { class: 'link-button tutorial-from', type: 'button', 'data-action': 'open-reading' }, `← ${view.from.title}`) : undefined,
      h('h1', null, view.title),
      h(
        'div',
        { class: 'tutorial-progress', 'data-done': String(done), 'data-total': String(total) },
        h('progress', { max: String(Math.max(total, 1)), value: String(done) }),
        h('span', { class: 'tutorial-count' }, `${done}/${total} done`),
        state ? h('span', { class: `tutorial-state state-${state}` }, stateLabel(state)) : undefined,
      ),
      view.content?.error ? h('p', { class: 'tutorial-error' }, view.content.error) : undefined,
    ),
    ...view.pages.map((p) =>
      h('section', { class: 'page' }, p.title && view.pages.length > 1 ? h('h2', null, p.title) : undefined, renderBlocks(p.blocks, ctx)),
    ),
  );
}

/** Blocks of a page read without a playground (skill path intros and units, course pages): the same renderer, tasks not started. */
export function renderReadOnly(blocks: Block[], assets: Record<string, string>): Child[] {
  return renderBlocks(blocks, { tasks: {}, assets, drafts: {}, answers: {}, readOnly: true });
}

function stateLabel(state: string): string {
  return { initializing: 'Preparing the playground…', ready: 'Ready', completed: 'Completed', failed: 'Failed', stopped: 'Stopped' }[state] ?? state;
}

function renderBlocks(blocks: Block[], ctx: Ctx): Child[] {
  return blocks.map((b) => renderBlock(b, ctx));
}

function renderBlock(b: Block, ctx: Ctx): Child {
  switch (b.type) {
    case 'heading':
      return h(`h${Math.min(Math.max(b.depth + 1, 2), 6)}`, null, renderInlines(b.children, ctx));
    case 'paragraph':
      return h('p', null, renderInlines(b.children, ctx));
    case 'code':
      return renderCode(b);
    case 'list':
      return h(
        b.ordered ? 'ol' : 'ul',
        b.ordered && b.start !== undefined && b.start !== 1 ? { start: String(b.start) } : null,
        b.items.map((i) =>
          h(
            'li',
            null,
            i.checked !== undefined ? h('input', { type: 'checkbox', disabled: '', ...(i.checked ? { checked: '' } : {}) }) : undefined,
            renderBlocks(i.children, ctx),
          ),
        ),
      );
    case 'blockquote':
      return h('blockquote', null, renderBlocks(b.children, ctx));
    case 'thematicBreak':
      return h('hr');
    case 'table': {
      const [head, ...rows] = b.rows;
      const cell = (tag: string, cells: Inline[][]) => cells.map((c, i) => h(tag, b.align[i] ? { class: `align-${b.align[i]}` } : null, renderInlines(c, ctx)));
      return h(
        'table',
        null,
        head ? h('thead', null, h('tr', null, cell('th', head))) : undefined,
        h(
          'tbody',
          null,
          rows.map((r) => h('tr', null, cell('td', r))),
        ),
      );
    }
    case 'html':
      // Shown as text: the webview never parses markup that came from content.
      return h('pre', { class: 'raw-html' }, h('code', null, b.value));
    case 'task':
      return renderTask(b, ctx);
    case 'box':
      if (b.box === 'details') return h('details', { class: 'box box-details' }, h('summary', null, b.title ?? 'Details'), renderBlocks(b.children, ctx));
      return h(
        'div',
        { class: `box box-${b.box}${b.variant ? ` box-variant-${b.variant.replace(/[^a-z0-9-]/gi, '')}` : ''}` },
        b.title ? h('div', { class: 'box-title' }, b.title) : undefined,
        renderBlocks(b.children, ctx),
      );
    case 'image':
      return h('div', { class: 'image-box' }, renderImage(b.src, b.alt, b.title, ctx, b.width));
    case 'component':
      return h('div', { class: 'component', 'data-component': b.name }, renderBlocks(b.children, ctx));
  }
}

function renderCode(b: CodeBlock): VNode {
  return h(
    'div',
    { class: 'code-block', ...(b.autoRun ? { 'data-autorun': '' } : {}) },
    h('pre', null, h('code', b.lang ? { class: `language-${b.lang.replace(/[^a-z0-9+-]/gi, '')}` } : null, b.value)),
    h('div', { class: 'code-actions' }, codeButtons(b.value, b.actions.length ? b.actions : ['copy'], b.interrupt)),
  );
}

function codeButtons(text: string, actions: string[], interrupt?: boolean): VNode[] {
  const out: VNode[] = [];
  if (actions.includes('run')) {
    out.push(
      h(
        'button',
        {
          class: 'action action-run',
          type: 'button',
          'data-action': 'run',
          'data-text': text,
          ...(interrupt ? { 'data-interrupt': '' } : {}),
          title: 'Run in terminal',
        },
        '▶ Run in terminal',
      ),
    );
  }
  if (actions.includes('copy'))
    out.push(h('button', { class: 'action action-copy', type: 'button', 'data-action': 'copy', 'data-text': text, title: 'Copy' }, 'Copy'));
  return out;
}

function renderTask(b: TaskBlock, ctx: Ctx): VNode {
  const t = ctx.tasks[b.task];
  const status = t?.status ?? 'created';
  const slot = status === 'completed' ? (b.slots.completed ?? []) : status === 'failed' ? (b.slots.failed ?? b.slots.active ?? []) : (b.slots.active ?? []);
  const icon = status === 'completed' ? '✔' : status === 'failed' ? '✘' : !t && ctx.readOnly ? '○' : '';
  const hint = status !== 'completed' && t?.hint?.trim() ? t.hint.trim() : undefined;
  return h(
    'div',
    { class: `task task-${status}`, 'data-task': b.task, 'data-status': status },
    h(
      'div',
      { class: 'task-status' },
      h('span', { class: `task-icon${icon ? '' : ' spinner'}`, 'aria-label': status, role: 'img' }, icon),
      h('span', { class: 'task-label' }, !t && ctx.readOnly ? 'Not started' : statusLabel(status, t)),
    ),
    h('div', { class: 'task-body' }, renderBlocks(b.slots.default ?? [], ctx), renderBlocks(slot, ctx)),
    hint ? h('div', { class: 'task-hint' }, h('span', { class: 'task-hint-title' }, 'Hint: '), hint) : undefined,
    t?.error ? h('div', { class: 'task-error' }, t.error) : undefined,
    b.input && status !== 'completed' && !ctx.readOnly
      ? h(
          'form',
          { class: 'task-input', 'data-task': b.task },
          h('input', { type: 'text', name: 'answer', placeholder: 'Your answer', value: ctx.drafts[b.task] ?? '', 'data-task': b.task }),
          h('button', { type: 'submit', class: 'action' }, 'Submit'),
          answerResult(ctx.answers[b.task]),
        )
      : undefined,
  );
}

function answerResult(a: AnswerResult | undefined): VNode {
  const cls = !a ? '' : a.pending ? ' pending' : a.ok ? ' ok' : ' error';
  return h('span', { class: `task-input-result${cls}`, role: 'status' }, a?.message ?? '');
}

function statusLabel(status: string, t: TaskRecord | undefined): string {
  if (status === 'completed') return 'Done';
  if (status === 'failed') return 'Failed';
  if (status === 'blocked') return t?.waitingFor?.length ? `Waiting for ${t.waitingFor.join(', ')}` : 'Waiting';
  if (t?.input) return 'Waiting for your answer';
  return 'Checking…';
}

function renderImage(src: string, alt: string, title: string | undefined, ctx: Ctx, width?: string): VNode {
  const rel = src.replace(/^\.?\//, '');
  const url = ctx.assets[rel] ?? safeUrl(src, 'src');
  if (!url) return h('span', { class: 'image-missing', title: src }, `[image: ${alt || src}]`);
  return h('img', { src: url, alt, title, width: width && /^\d+(px|%)?$/.test(width) ? width.replace(/px$/, '') : undefined });
}

function renderInlines(nodes: Inline[], ctx: Ctx): Child[] {
  return nodes.map((n) => renderInline(n, ctx));
}

function renderInline(n: Inline, ctx: Ctx): Child {
  switch (n.type) {
    case 'text':
      return n.value;
    case 'strong':
      return h('strong', null, renderInlines(n.children, ctx));
    case 'emphasis':
      return h('em', null, renderInlines(n.children, ctx));
    case 'delete':
      return h('del', null, renderInlines(n.children, ctx));
    case 'inlineCode':
      if (!n.actions?.length) return h('code', null, n.value);
      return h('span', { class: 'inline-action' }, h('code', null, n.value), codeButtons(n.value, n.actions, n.interrupt));
    case 'link': {
      const href = safeUrl(n.url, 'href');
      return href
        ? h('a', { href, title: n.title, 'data-action': 'link', 'data-url': href }, renderInlines(n.children, ctx))
        : h('span', { class: 'link-unsafe' }, renderInlines(n.children, ctx));
    }
    case 'image':
      return renderImage(n.src, n.alt, n.title, ctx);
    case 'break':
      return h('br');
    case 'html':
      return h('code', { class: 'raw-html' }, n.value);
  }
}
