import { describe, expect, it } from 'vitest';
import { attrAllowed, h, safeUrl, textOf } from '../../../../webviews/shared/vnode';

describe('vnode', () => {
  it('the mount allow-list refuses handlers and script URLs', () => {
    expect(attrAllowed('onerror', 'x')).toBe(false);
    expect(attrAllowed('ONCLICK', 'x')).toBe(false);
    expect(attrAllowed('href', 'javascript:alert(1)')).toBe(false);
    expect(attrAllowed('src', 'data:image/svg+xml,<svg onload=x>')).toBe(false);
    expect(attrAllowed('style', 'background:url(x)')).toBe(false);
    expect(attrAllowed('class', 'x')).toBe(true);
    expect(attrAllowed('data-task', 'x')).toBe(true);
  });

  it('h drops undefined attributes and false children, and flattens arrays', () => {
    const n = h('p', { class: 'a', title: undefined }, 'x', false, undefined, ['y', h('em', null, 'z')]);
    expect(n.attrs).toEqual({ class: 'a' });
    expect(textOf(n)).toBe('xyz');
  });

  it('safeUrl keeps https links and webview resources only', () => {
    expect(safeUrl(' https://example.com/a ', 'href')).toBe('https://example.com/a');
    expect(safeUrl('mailto:a@b.c', 'href')).toBe('mailto:a@b.c');
    expect(safeUrl('mailto:a@b.c', 'src')).toBeUndefined();
    expect(safeUrl('javascript:alert(1)', 'href')).toBeUndefined();
  });
});
