// The two ends of one webview's channel to the extension host. The webview end numbers
// each request and settles it from the host's response; the host end answers every
// request exactly once, with its handler's result or the message of what it threw. No
// caller matches ids by hand. Notices go through the exhaustive handler maps of
// ./protocol. Pure (no DOM, no vscode import): the host passes its vscode.Webview, the
// webview its acquireVsCodeApi() handle and a window listener, and unit tests wire the
// two ends to each other directly.
import { errorMessage } from '../../host-agent/util/errors';
import {
  dispatch,
  isMessage,
  requestHandler,
  type Handlers,
  type HostBound,
  type RequestHandlers,
  type RequestMessage,
  type WebviewBound,
  type WebviewProtocol,
} from './protocol';

/** What the host end needs of a webview (vscode.Webview has both). */
export interface WebviewPort {
  /** VS Code's Thenable is a PromiseLike. */
  postMessage(message: unknown): PromiseLike<boolean>;
  onDidReceiveMessage(listener: (message: unknown) => unknown): { dispose(): unknown };
}

export interface HostEnd<P extends WebviewProtocol> {
  /** Sends a notice; dropped once the end is disposed. */
  post(message: P['toWebview']): void;
  dispose(): void;
}

export interface HostEndOptions<P extends WebviewProtocol> {
  notices: Handlers<P['toHost']>;
  requests: RequestHandlers<P['requests']>;
  /** Told about each request whose handler failed (the webview gets the message too). */
  onRequestFailed?: (method: string, err: unknown) => void;
}

export function openHostEnd<P extends WebviewProtocol>(port: WebviewPort, o: HostEndOptions<P>): HostEnd<P> {
  let disposed = false;
  const send = (m: WebviewBound<P>) => {
    if (disposed) return;
    // A webview disposed between our check and the post rejects; nothing waits for it.
    port.postMessage(m).then(undefined, () => undefined);
  };
  const answer = async (m: Record<string, unknown>) => {
    const { id, method } = m;
    if (typeof id !== 'number') return;
    const handler = requestHandler(o.requests, method);
    if (!handler) return send({ kind: 'response', id, error: `unknown request ${JSON.stringify(method)}` });
    try {
      send({ kind: 'response', id, result: await handler(m.params) });
    } catch (err) {
      o.onRequestFailed?.(String(method), err);
      send({ kind: 'response', id, error: errorMessage(err) });
    }
  };
  const subscription = port.onDidReceiveMessage((m) => {
    if (isMessage(m) && m.kind === 'request') void answer(m);
    else dispatch(o.notices, m);
  });
  return {
    post: send,
    dispose: () => {
      disposed = true;
      subscription.dispose();
    },
  };
}

export interface WebviewEnd<P extends WebviewProtocol> {
  post(message: P['toHost']): void;
  /** Asks the host; resolves with its handler's result, rejects with the message of its failure. */
  request<K extends keyof P['requests'] & string>(method: K, params: P['requests'][K]['params']): Promise<P['requests'][K]['result']>;
}

export interface WebviewEndOptions<P extends WebviewProtocol> {
  /** acquireVsCodeApi().postMessage. */
  postMessage: (message: HostBound<P>) => void;
  /** Registers the listener for what the host posts (window 'message' events' data). */
  listen: (listener: (data: unknown) => void) => void;
  notices: Handlers<P['toWebview']>;
}

export function openWebviewEnd<P extends WebviewProtocol>(o: WebviewEndOptions<P>): WebviewEnd<P> {
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  o.listen((data) => {
    if (!isMessage(data) || data.kind !== 'response') return void dispatch(o.notices, data);
    const waiting = typeof data.id === 'number' ? pending.get(data.id) : undefined;
    if (!waiting || typeof data.id !== 'number') return;
    pending.delete(data.id);
    if (typeof data.error === 'string') waiting.reject(new Error(data.error));
    else waiting.resolve(data.result);
  });
  return {
    post: (message) => o.postMessage(message),
    request: <K extends keyof P['requests'] & string>(method: K, params: P['requests'][K]['params']) =>
      new Promise<P['requests'][K]['result']>((resolve, reject) => {
        const id = nextId++;
        // The host answers `method` from the same request map this result type comes from.
        pending.set(id, { resolve, reject });
        const message: RequestMessage<P['requests']> = { kind: 'request', id, method, params };
        o.postMessage(message);
      }),
  };
}
