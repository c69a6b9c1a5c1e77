// Markdown → content Blocks. Parsing is done by unified/remark (remark-mdc for iximiuz
// Labs' MDC components, GitHub's extensions for tables and the like, remark-frontmatter
// for the YAML head); this module only walks the resulting syntax tree into the model.
import { unified, type Processor } from 'unified';
import remarkParse from 'remark-parse';
import remarkFrontmatter from 'remark-frontmatter';
import remarkMdc from 'remark-mdc';
import { gfmFootnote } from 'micromark-extension-gfm-footnote';
import { gfmStrikethrough } from 'micromark-extension-gfm-strikethrough';
import { gfmTable } from 'micromark-extension-gfm-table';
import { gfmTaskListItem } from 'micromark-extension-gfm-task-list-item';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import * as path from 'node:path';
import { frontMatterText } from './front-matter';
import { formatBytes } from './limits';
import type { Block, CodeAction, Inline, ListItem } from './model';

/** The slice of an mdast/MDC node this walker reads; MDC node types are not in @types/mdast. */
interface MdNode {
  type: string;
  children?: MdNode[];
  value?: string;
  depth?: number;
  lang?: string | null;
  meta?: string | null;
  ordered?: boolean | null;
  start?: number | null;
  checked?: boolean | null;
  align?: ('left' | 'right' | 'center' | null)[] | null;
  url?: string;
  title?: string | null;
  alt?: string | null;
  identifier?: string;
  name?: string;
  attributes?: Record<string, unknown>;
  fmAttributes?: Record<string, unknown>;
  position?: { start: { line: number; column: number } };
}

export type MarkdownDialect = 'mdc' | 'killercoda';

/** Something the caller must check against the rest of the content (tasks, files). */
export type MarkdownRef = { kind: 'task'; task: string; component: string; line: number } | { kind: 'image'; src: string; line: number };

export interface ParsedMarkdown {
  /** Text of the leading `---` YAML block, if any. */
  frontMatter?: string;
  /** Line (1-based) where the front matter text starts, for error positions. */
  frontMatterLine?: number;
  blocks: Block[];
  refs: MarkdownRef[];
  /** Malformed components (missing `:name:`, …), as `line N: message`. */
  problems: { line: number; message: string }[];
}

const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'zsh', 'console', 'shellsession']);

const TASK_COMPONENTS: Record<string, boolean> = { 'simple-task': false, 'user-input-task': true };
const BOX_COMPONENTS: Record<string, 'hint' | 'remark' | 'details'> = {
  'hint-box': 'hint',
  'remark-box': 'remark',
  'details-box': 'details',
};

/**
 * GitHub's markdown extensions as remark-gfm adds them, except the autolink-literal
 * *syntax*: it makes micromark split every word of a paragraph into its own event, which
 * micromark then merges back one splice at a time — quadratic in the paragraph (a 0.8 MB
 * paragraph took 7.6 s, 14 s with everything else). Bare URLs still become links:
 * gfmFromMarkdown's autolink transform finds them in the text afterwards, in linear time.
 */
function gfmWithoutAutolinkSyntax(this: Processor): void {
  const data = this.data();
  (data.micromarkExtensions ??= []).push(gfmTable(), gfmStrikethrough(), gfmFootnote(), gfmTaskListItem());
  (data.fromMarkdownExtensions ??= []).push(gfmFromMarkdown());
}

export interface MarkdownOptions {
  /**
   * Longest run of lines without a blank line (outside fenced code) that is parsed. Inline
   * parsing in micromark is quadratic per paragraph (emphasis is resolved by splicing the
   * paragraph's event list once per pair: one 0.5 MB paragraph took 9.8 s), so a cap per
   * paragraph keeps the whole parse linear in the file size.
   */
  maxParagraphBytes?: number;
}

/** The longest run of non-blank lines outside fenced code and front matter: where and how long. */
export function longestParagraph(text: string): { line: number; endLine: number; bytes: number } {
  const lines = text.split('\n');
  let best = { line: 0, endLine: 0, bytes: 0 };
  let run = { line: 0, bytes: 0 };
  let fence: { char: string; len: number } | undefined;
  let i = 0;
  if (/^---[ \t]*\r?$/.test(lines[0] ?? '')) {
    // Front matter is YAML, parsed on its own.
    const end = lines.findIndex((l, k) => k > 0 && /^---[ \t]*\r?$/.test(l));
    if (end > 0) i = end + 1;
  }
  const close = (at: number) => {
    if (run.bytes > best.bytes) best = { line: run.line, endLine: at, bytes: run.bytes };
    run = { line: 0, bytes: 0 };
  };
  for (; i < lines.length; i++) {
    const line = lines[i];
    const mark = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (mark && mark[1][0] === fence.char && mark[1].length >= fence.len) fence = undefined;
      continue;
    }
    if (mark) {
      close(i);
      fence = { char: mark[1][0], len: mark[1].length };
      continue;
    }
    if (line.trim() === '') {
      close(i);
      continue;
    }
    if (run.bytes === 0) run.line = i + 1;
    run.bytes += Buffer.byteLength(line, 'utf8') + 1;
  }
  close(lines.length);
  return best;
}

export function parseMarkdown(text: string, dialect: MarkdownDialect, opts: MarkdownOptions = {}): ParsedMarkdown {
  if (opts.maxParagraphBytes !== undefined) {
    const longest = longestParagraph(text);
    if (longest.bytes > opts.maxParagraphBytes) {
      const fm = dialect === 'mdc' ? frontMatterText(text) : undefined;
      return {
        ...(fm ? { frontMatter: fm.yaml, frontMatterLine: fm.line } : {}),
        blocks: [],
        refs: [],
        problems: [
          {
            line: longest.line,
            message: `lines ${longest.line}–${longest.endLine} hold ${formatBytes(longest.bytes)} without a blank line, more than the ${formatBytes(opts.maxParagraphBytes)} one paragraph may have (split it with blank lines)`,
          },
        ],
      };
    }
  }
  const processor =
    dialect === 'mdc'
      ? unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(gfmWithoutAutolinkSyntax).use(remarkMdc)
      : unified().use(remarkParse).use(gfmWithoutAutolinkSyntax);
  const source = dialect === 'killercoda' ? splitKillercodaFences(text) : text;
  // mdast's Root is an MdNode; the MDC node types are what @types/mdast does not list.
  const root: MdNode = processor.runSync(processor.parse(source));
  const walker = new Walker(dialect, collectDefinitions(root));
  const out: ParsedMarkdown = { blocks: [], refs: walker.refs, problems: walker.problems };
  const children = root.children ?? [];
  if (children[0]?.type === 'yaml') {
    out.frontMatter = children[0].value ?? '';
    out.frontMatterLine = (children[0].position?.start.line ?? 1) + 1;
  }
  out.blocks = walker.blocks(children);
  return out;
}

/**
 * Killercoda writes actions right after a closing fence (```` ```{{exec}} ````). CommonMark
 * reads that line as code, not as a fence, so the marker moves to its own line first and
 * the walker then attaches it to the code block before it.
 */
export function splitKillercodaFences(text: string): string {
  const lines = text.split('\n');
  let open: { char: string; len: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(lines[i]);
    if (!fence) continue;
    const [, marks, rest] = fence;
    if (!open) {
      open = { char: marks[0], len: marks.length };
    } else if (marks[0] === open.char && marks.length >= open.len) {
      const action = /^\s*(\{\{[^}]*\}\})\s*$/.exec(rest);
      if (action) lines[i] = `${lines[i].slice(0, lines[i].indexOf(marks) + marks.length)}\n${action[1]}`;
      if (action || rest.trim() === '') open = undefined;
    }
  }
  return lines.join('\n');
}

/** `{{exec}}`, `{{execute interrupt}}`, `{{copy}}` at the start of a string. */
const ACTION_MARKER = /^\{\{\s*(exec|execute|copy)(\s+[^}]*)?\}\}/;

function parseActionMarker(text: string): { actions: CodeAction[]; interrupt: boolean; length: number } | undefined {
  const m = ACTION_MARKER.exec(text);
  if (!m) return undefined;
  const copy = m[1] === 'copy';
  return {
    actions: copy ? ['copy'] : ['run', 'copy'],
    interrupt: !copy && /\binterrupt\b/.test(m[2] ?? ''),
    length: m[0].length,
  };
}

function collectDefinitions(root: MdNode): Map<string, { url: string; title?: string }> {
  const defs = new Map<string, { url: string; title?: string }>();
  const visit = (n: MdNode) => {
    if (n.type === 'definition' && n.identifier) defs.set(n.identifier, { url: n.url ?? '', title: n.title ?? undefined });
    n.children?.forEach(visit);
  };
  visit(root);
  return defs;
}

/** Component props: MDC's `{a="b"}` attributes and its YAML block, with Vue's `:` binding prefix removed. */
function componentProps(node: MdNode): Record<string, string> {
  const props: Record<string, string> = {};
  for (const source of [node.attributes, node.fmAttributes]) {
    for (const [k, v] of Object.entries(source ?? {})) {
      props[k.replace(/^:/, '')] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  }
  return props;
}

class Walker {
  readonly refs: MarkdownRef[] = [];
  readonly problems: { line: number; message: string }[] = [];

  constructor(
    private readonly dialect: MarkdownDialect,
    private readonly defs: Map<string, { url: string; title?: string }>,
  ) {}

  blocks(nodes: MdNode[]): Block[] {
    const out: Block[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      const block = this.block(node);
      if (!block) continue;
      // Killercoda: a paragraph that starts with `{{exec}}` right after a code block is
      // that block's action marker, not text.
      const next = nodes[i + 1];
      if (block.type === 'code' && this.dialect === 'killercoda' && next?.type === 'paragraph') {
        const first = next.children?.[0];
        const marker = first?.type === 'text' ? parseActionMarker(first.value ?? '') : undefined;
        if (marker && first) {
          block.actions = marker.actions;
          if (marker.interrupt) block.interrupt = true;
          const rest = (first.value ?? '').slice(marker.length).replace(/^\s+/, '');
          const remaining = rest ? [{ ...first, value: rest }, ...(next.children ?? []).slice(1)] : (next.children ?? []).slice(1);
          out.push(block);
          if (remaining.length > 0) out.push({ type: 'paragraph', children: this.inlines(remaining) });
          i++;
          continue;
        }
      }
      out.push(block);
    }
    return out;
  }

  private line(node: MdNode): number {
    return node.position?.start.line ?? 0;
  }

  private block(node: MdNode): Block | undefined {
    switch (node.type) {
      case 'heading':
        return { type: 'heading', depth: node.depth ?? 1, children: this.inlines(node.children ?? []) };
      case 'paragraph': {
        const children = this.inlines(node.children ?? []);
        return { type: 'paragraph', children };
      }
      case 'code': {
        const lang = node.lang ?? undefined;
        const runnable = this.dialect === 'mdc' && lang !== undefined && SHELL_LANGS.has(lang);
        return { type: 'code', lang, value: node.value ?? '', actions: runnable ? ['run', 'copy'] : ['copy'] };
      }
      case 'list':
        return {
          type: 'list',
          ordered: node.ordered === true,
          ...(node.ordered && typeof node.start === 'number' ? { start: node.start } : {}),
          items: (node.children ?? []).map((item): ListItem => ({
            ...(typeof item.checked === 'boolean' ? { checked: item.checked } : {}),
            children: this.blocks(item.children ?? []),
          })),
        };
      case 'blockquote':
        return { type: 'blockquote', children: this.blocks(node.children ?? []) };
      case 'thematicBreak':
        return { type: 'thematicBreak' };
      case 'table':
        return {
          type: 'table',
          align: node.align ?? [],
          rows: (node.children ?? []).map((row) => (row.children ?? []).map((cell) => this.inlines(cell.children ?? []))),
        };
      case 'html':
        return { type: 'html', value: node.value ?? '' };
      case 'containerComponent':
      case 'leafComponent':
        return this.component(node);
      case 'yaml':
      case 'definition':
      case 'footnoteDefinition':
        return undefined;
      default:
        // Anything else a plugin produced: keep its text rather than lose it.
        return { type: 'paragraph', children: this.inlines([node]) };
    }
  }

  private component(node: MdNode): Block {
    const name = node.name ?? '';
    const props = componentProps(node);
    const line = this.line(node);
    if (name in TASK_COMPONENTS) {
      const task = props.name ?? '';
      if (!task) this.problems.push({ line, message: `::${name} is missing its :name: (the task it shows)` });
      else this.refs.push({ kind: 'task', task, component: name, line });
      const slots: Record<string, Block[]> = {};
      for (const child of node.children ?? []) {
        const slot = child.type === 'componentContainerSection' ? child.name || 'default' : 'default';
        const blocks = child.type === 'componentContainerSection' ? this.blocks(child.children ?? []) : this.blocks([child]);
        (slots[slot] ??= []).push(...blocks);
      }
      return { type: 'task', task, input: TASK_COMPONENTS[name], slots };
    }
    if (name in BOX_COMPONENTS) {
      const title = props.title ?? props.summary;
      const variant = props.color ?? props.variant ?? props.type;
      return {
        type: 'box',
        box: BOX_COMPONENTS[name],
        ...(title !== undefined ? { title } : {}),
        ...(variant !== undefined ? { variant } : {}),
        children: this.blocks(this.unslotted(node)),
      };
    }
    if (name === 'image-box') {
      let src = props.src ?? '';
      let alt = props.alt ?? '';
      // The image may also be written as markdown inside the box.
      const inner = findFirst(node, 'image');
      if (!src && inner) {
        src = inner.url ?? '';
        alt = alt || (inner.alt ?? '');
      }
      if (!src) this.problems.push({ line, message: '::image-box has no :src: and no image inside' });
      else this.refs.push({ kind: 'image', src, line });
      return {
        type: 'image',
        src,
        alt,
        ...(props.title ? { title: props.title } : {}),
        ...(props.width ? { width: props.width } : {}),
      };
    }
    return { type: 'component', name, attributes: props, children: this.blocks(this.unslotted(node)) };
  }

  /** A component's children with slot wrappers flattened (boxes have one body). */
  private unslotted(node: MdNode): MdNode[] {
    return (node.children ?? []).flatMap((c) => (c.type === 'componentContainerSection' ? (c.children ?? []) : [c]));
  }

  inlines(nodes: MdNode[]): Inline[] {
    const out: Inline[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      if (node.type === 'textComponent' || node.type === 'textSpan') {
        // Inline MDC (`:kbd[Ctrl]`, `[text]{.class}`): keep the text, drop the styling; a
        // bare `:word` (as in `key:value`) is most likely prose, so it stays as written.
        if (node.children && node.children.length > 0) out.push(...this.inlines(node.children));
        else out.push({ type: 'text', value: `:${node.name ?? ''}` });
        continue;
      }
      const inline = this.inline(node);
      if (!inline) continue;
      // Katacoda: `cmd`{{execute}} — the marker is the text right after the inline code.
      const next = nodes[i + 1];
      if (inline.type === 'inlineCode' && this.dialect === 'killercoda' && next?.type === 'text') {
        const marker = parseActionMarker(next.value ?? '');
        if (marker) {
          inline.actions = marker.actions;
          if (marker.interrupt) inline.interrupt = true;
          out.push(inline);
          const rest = (next.value ?? '').slice(marker.length);
          if (rest) out.push({ type: 'text', value: rest });
          i++;
          continue;
        }
      }
      out.push(inline);
    }
    return out;
  }

  private inline(node: MdNode): Inline | undefined {
    switch (node.type) {
      case 'text':
        return { type: 'text', value: node.value ?? '' };
      case 'strong':
      case 'emphasis':
      case 'delete':
        return { type: node.type, children: this.inlines(node.children ?? []) };
      case 'inlineCode':
        return { type: 'inlineCode', value: node.value ?? '' };
      case 'link':
        return { type: 'link', url: node.url ?? '', ...(node.title ? { title: node.title } : {}), children: this.inlines(node.children ?? []) };
      case 'linkReference': {
        const def = this.defs.get(node.identifier ?? '');
        const children = this.inlines(node.children ?? []);
        return def ? { type: 'link', url: def.url, ...(def.title ? { title: def.title } : {}), children } : { type: 'emphasis', children };
      }
      case 'image':
      case 'imageReference': {
        const def = node.type === 'imageReference' ? this.defs.get(node.identifier ?? '') : undefined;
        const src = def?.url ?? node.url ?? '';
        this.refs.push({ kind: 'image', src, line: this.line(node) });
        const title = def?.title ?? node.title ?? undefined;
        return { type: 'image', src, alt: node.alt ?? '', ...(title ? { title } : {}) };
      }
      case 'break':
        return { type: 'break' };
      case 'html':
        return { type: 'html', value: node.value ?? '' };
      case 'footnoteReference':
        return { type: 'text', value: `[${node.identifier ?? ''}]` };
      default:
        if (node.children) return { type: 'emphasis', children: this.inlines(node.children) };
        return node.value !== undefined ? { type: 'text', value: node.value } : undefined;
    }
  }
}

function findFirst(node: MdNode, type: string): MdNode | undefined {
  for (const c of node.children ?? []) {
    if (c.type === type) return c;
    const inner = findFirst(c, type);
    if (inner) return inner;
  }
  return undefined;
}

/** Makes relative image sources relative to another folder (`base`, with `/`), in place. */
export function rebaseImages(blocks: Block[], base: string): void {
  if (base === '.' || base === '') return;
  const fix = (src: string) => (/^[a-z]+:/i.test(src) || src.startsWith('/') ? src : path.posix.join(base, src));
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const n = node as { type?: string; src?: string };
      if (n.type === 'image' && typeof n.src === 'string') n.src = fix(n.src);
      for (const v of Object.values(node)) if (typeof v === 'object') walk(v);
    }
  };
  walk(blocks);
}
