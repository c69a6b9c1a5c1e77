import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, makeNonce, tutorialHtml } from '../../../../extension/tutorial/html';

const opts = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webviews/tutorial/main.js',
  nonce: 'abc123==',
};

describe('tutorial webview shell', () => {
  it('allows scripts and styles only with the nonce, and nothing by default', () => {
    const csp = contentSecurityPolicy(opts);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-abc123=='");
    expect(csp).toContain("style-src 'nonce-abc123=='");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
  });

  it('puts the nonce on its one script and one style, and the CSP in a meta tag', () => {
    const html = tutorialHtml(opts);
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).toContain(`<script nonce="abc123==" src="${opts.scriptUri}">`);
    expect(html).toContain('<style nonce="abc123==">');
    expect(html).toContain('http-equiv="Content-Security-Policy"');
  });

  it('styles use theme variables only, no literal colors', () => {
    const css = tutorialHtml(opts).match(/<style[^>]*>([\s\S]*)<\/style>/)![1];
    expect(css).toContain('var(--vscode-');
    expect(css).not.toMatch(/#[0-9a-f]{3,8}\b|rgba?\(/i);
  });

  it('makes a fresh 128-bit nonce per load', () => {
    let i = 0;
    const nonce = makeNonce((n) => Uint8Array.from({ length: n }, () => i++));
    expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
    expect(makeNonce((n) => new Uint8Array(n).fill(7))).not.toBe(nonce);
  });
});
