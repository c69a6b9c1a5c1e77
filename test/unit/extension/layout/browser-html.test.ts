import { describe, expect, it } from 'vitest';
import { browserHtml } from '../../../../extension/layout/browser-html';

describe('browser tab page', () => {
  it('frames only the tab address, runs no script, and escapes what it shows', () => {
    const html = browserHtml({ title: 'App "1" <x>', url: 'http://127.0.0.1:8080/proxy/4123/ui/?a=1&b=2', nonce: 'abc' });
    expect(html).toContain(`content="default-src 'none'; frame-src http://127.0.0.1:8080; style-src 'nonce-abc'"`);
    expect(html).toContain('src="http://127.0.0.1:8080/proxy/4123/ui/?a=1&amp;b=2"');
    expect(html).toContain('title="App &quot;1&quot; &lt;x>"');
    expect(html).not.toMatch(/<script/);
  });
});
