// The handle VS Code gives a webview's script, typed by what that webview sends and
// saves. acquireVsCodeApi may be called once per page: each entry script calls this once.
export interface VsCodeApi<ToHost, State> {
  postMessage(message: ToHost): void;
  getState(): unknown;
  setState(state: State): void;
}

declare function acquireVsCodeApi(): unknown;

export function vscodeApi<ToHost, State>(): VsCodeApi<ToHost, State> {
  return acquireVsCodeApi() as VsCodeApi<ToHost, State>;
}
