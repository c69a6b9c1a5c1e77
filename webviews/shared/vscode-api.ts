// The handle VS Code gives a webview's script, typed by what that webview posts and
// saves. acquireVsCodeApi may be called once per page: each entry script calls this once.
import { openWebviewEnd, type WebviewEnd } from './channel';
import type { Handlers, HostBound, WebviewProtocol } from './protocol';

export interface VsCodeApi<Posted, State> {
  postMessage(message: Posted): void;
  getState(): unknown;
  setState(state: State): void;
}

// The global VS Code defines in every webview; declared with the types this webview uses.
declare function acquireVsCodeApi<Posted, State>(): VsCodeApi<Posted, State>;

export function vscodeApi<Posted, State>(): VsCodeApi<Posted, State> {
  return acquireVsCodeApi<Posted, State>();
}

/** The webview's end of its channel: posts through the VS Code handle, hears the window's messages. */
export function connectToHost<P extends WebviewProtocol, State>(api: VsCodeApi<HostBound<P>, State>, notices: Handlers<P['toWebview']>): WebviewEnd<P> {
  return openWebviewEnd<P>({
    postMessage: (m) => api.postMessage(m),
    listen: (listener) => window.addEventListener('message', (e: MessageEvent<unknown>) => listener(e.data)),
    notices,
  });
}
