import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, playgroundHtml } from '../../../../extension/playground-panel/html';

const opts = { scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webviews/playground/main.js', nonce: 'n0nce/+=' };

describe('playground panel shell', () => {
  it('loads nothing but its nonce-tagged script and style', () => {
    const csp = contentSecurityPolicy(opts);
    expect(csp).toBe("default-src 'none'; style-src 'nonce-n0nce/+='; script-src 'nonce-n0nce/+='");
  });

  it('has one script and one style, both with the nonce, and the CSP meta tag', () => {
    const html = playgroundHtml(opts);
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).toContain(`<script nonce="n0nce/+=" src="${opts.scriptUri}">`);
    expect(html.match(/<style\b/g)).toHaveLength(1);
    expect(html).toContain('<style nonce="n0nce/+=">');
    expect(html).toContain('http-equiv="Content-Security-Policy"');
  });

  it('escapes a script URI that would break out of its attribute', () => {
    const html = playgroundHtml({ ...opts, scriptUri: 'https://x/"><script>alert(1)</script>' });
    expect(html.match(/<script\b/g)).toHaveLength(1);
  });

  it('styles use theme variables only, no literal colors', () => {
    const css = playgroundHtml(opts).match(/<style[^>]*>([\s\S]*)<\/style>/)![1];
    expect(css).toContain('var(--vscode-');
    expect(css).not.toMatch(/#[0-9a-f]{3,8}\b|rgba?\(/i);
  });
});
