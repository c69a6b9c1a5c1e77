// Both ends of a webview channel wired to each other the way VS Code carries messages
// (asynchronously, as structured clones), without a browser.
import { describe, expect, it } from 'vitest';
import { errorMessage } from '../../../../host-agent/util/errors';
import { openHostEnd, openWebviewEnd, type WebviewPort } from '../../../../webviews/shared/channel';
import type { WebviewProtocol } from '../../../../webviews/shared/protocol';

interface TestProtocol extends WebviewProtocol {
  toWebview: { kind: 'hello'; text: string };
  toHost: { kind: 'ready' };
  requests: {
    add: { params: { a: number; b: number }; result: number };
    fail: { params: { why: string }; result: void };
  };
}

function wire() {
  const toHost: ((m: unknown) => unknown)[] = [];
  const toWebview: ((m: unknown) => void)[] = [];
  const deliver = (listeners: ((m: unknown) => unknown)[], m: unknown) => setTimeout(() => listeners.forEach((l) => l(structuredClone(m))), 0);
  const port: WebviewPort = {
    postMessage: (m) => (deliver(toWebview, m), Promise.resolve(true)),
    onDidReceiveMessage: (l) => {
      toHost.push(l);
      return { dispose: () => toHost.splice(toHost.indexOf(l), 1) };
    },
  };
  return { port, postFromWebview: (m: unknown) => deliver(toHost, m), listen: (l: (m: unknown) => void) => void toWebview.push(l) };
}

describe('webview channel', () => {
  it('answers each request with its own result, whatever order they finish in', async () => {
    const w = wire();
    const seen: string[] = [];
    const failures: string[] = [];
    const host = openHostEnd<TestProtocol>(w.port, {
      notices: { ready: () => host.post({ kind: 'hello', text: 'hi' }) },
      requests: {
        // The first request finishes last.
        add: async ({ a, b }) => (await new Promise((r) => setTimeout(r, a === 1 ? 20 : 0)), a + b),
        fail: ({ why }) => Promise.reject(new Error(why)),
      },
      onRequestFailed: (method, err) => failures.push(`${method}: ${errorMessage(err)}`),
    });
    const webview = openWebviewEnd<TestProtocol>({ postMessage: w.postFromWebview, listen: w.listen, notices: { hello: (m) => seen.push(m.text) } });
    webview.post({ kind: 'ready' });
    const [x, y] = await Promise.all([webview.request('add', { a: 1, b: 2 }), webview.request('add', { a: 10, b: 20 })]);
    expect([x, y]).toEqual([3, 30]);
    await expect(webview.request('fail', { why: 'agent said no' })).rejects.toThrow('agent said no');
    expect(failures).toEqual(['fail: agent said no']);
    expect(seen).toEqual(['hi']);
    host.dispose();
  });

  it('answers an unknown method with an error, ignores strangers, and is silent once disposed', async () => {
    const w = wire();
    const posted: unknown[] = [];
    const host = openHostEnd<TestProtocol>(w.port, { notices: { ready: () => {} }, requests: { add: ({ a, b }) => a + b, fail: () => {} } });
    w.listen((m) => posted.push(m));
    w.postFromWebview({ kind: 'request', id: 7, method: 'toString', params: {} });
    w.postFromWebview({ kind: 'request', method: 'add', params: { a: 1, b: 1 } }); // no id: no answer
    w.postFromWebview({ type: 'vscode-internal' });
    await new Promise((r) => setTimeout(r, 20));
    expect(posted).toEqual([{ kind: 'response', id: 7, error: 'unknown request "toString"' }]);
    host.dispose();
    w.postFromWebview({ kind: 'request', id: 8, method: 'add', params: { a: 1, b: 1 } });
    host.post({ kind: 'hello', text: 'late' });
    await new Promise((r) => setTimeout(r, 20));
    expect(posted).toHaveLength(1);
  });
});
