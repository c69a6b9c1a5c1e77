// A tiny virtual DOM: the renderer builds plain data (unit-tested without a browser) and
// `mount` turns it into elements with createElement/textContent only — never innerHTML —
// through a tag and attribute allow-list, so content cannot inject markup or handlers.

export interface VNode {
  tag: string;
  attrs?: Record<string, string>;
  children?: Child[];
}
export type Child = VNode | string;

export function h(tag: string, attrs?: Record<string, string | undefined> | null, ...children: (Child | Child[] | undefined | false)[]): VNode {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs ?? {})) if (v !== undefined) clean[k] = v;
  const kids: Child[] = [];
  for (const c of children) {
    if (c === undefined || c === false) continue;
    if (Array.isArray(c)) kids.push(...c);
    else kids.push(c);
  }
  return { tag, attrs: clean, children: kids };
}

/** Every tag the renderer may emit; anything else is dropped with its subtree. */
export const ALLOWED_TAGS = new Set([
  'div',
  'span',
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'strong',
  'em',
  'del',
  'code',
  'pre',
  'a',
  'img',
  'ul',
  'ol',
  'li',
  'blockquote',
  'hr',
  'br',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'details',
  'summary',
  'button',
  'input',
  'form',
  'label',
  'header',
  'section',
  'progress',
]);

const ALLOWED_ATTRS = new Set([
  'class',
  'href',
  'src',
  'alt',
  'title',
  'width',
  'type',
  'placeholder',
  'open',
  'start',
  'checked',
  'disabled',
  'value',
  'max',
  'role',
  'name',
]);

/** Only these URL schemes reach an href or src (no `javascript:`, no `data:` documents). */
export function safeUrl(url: string, kind: 'href' | 'src'): string | undefined {
  const trimmed = url.trim();
  if (/^https:\/\//i.test(trimmed)) return trimmed;
  if (kind === 'href' && /^(http:\/\/|mailto:)/i.test(trimmed)) return trimmed;
  // Webview resource URIs made by the host with asWebviewUri.
  if (kind === 'src' && /^https:\/\/[^/]*vscode-(cdn|resource)/i.test(trimmed)) return trimmed;
  return undefined;
}

export function attrAllowed(name: string, value: string): boolean {
  const n = name.toLowerCase();
  if (n.startsWith('on')) return false;
  if (n === 'href' || n === 'src') return safeUrl(value, n) !== undefined;
  return ALLOWED_ATTRS.has(n) || n.startsWith('data-') || n.startsWith('aria-');
}

/** Builds DOM nodes from a VNode tree (browser only). */
export function mount(doc: Document, node: Child): Node | undefined {
  if (typeof node === 'string') return doc.createTextNode(node);
  if (!ALLOWED_TAGS.has(node.tag)) return undefined;
  const el = doc.createElement(node.tag);
  for (const [k, v] of Object.entries(node.attrs ?? {})) if (attrAllowed(k, v)) el.setAttribute(k, v);
  for (const c of node.children ?? []) {
    const m = mount(doc, c);
    if (m) el.appendChild(m);
  }
  return el;
}

/** Plain text of a tree (tests, accessibility labels). */
export function textOf(node: Child): string {
  return typeof node === 'string' ? node : (node.children ?? []).map(textOf).join('');
}

/** Every node of a tree, depth first (tests). */
export function* walk(node: Child): Generator<VNode> {
  if (typeof node === 'string') return;
  yield node;
  for (const c of node.children ?? []) yield* walk(c);
}
