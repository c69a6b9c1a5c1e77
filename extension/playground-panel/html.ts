// The playground panel's HTML shell. Pure (no vscode import) so the CSP is unit-tested:
// one script and one style, both with this load's nonce; nothing else loads (no images,
// no fonts, no connections: the host brings every piece of data by message).
import { PLAYGROUND_CSS } from '../../webviews/playground/styles';
import { webviewHtml } from '../util/webview-html';

export interface ShellOptions {
  /** `asWebviewUri` of dist/webviews/playground/main.js. */
  scriptUri: string;
  nonce: string;
}

export { makeNonce } from '../util/webview-html';

export function contentSecurityPolicy(o: Pick<ShellOptions, 'nonce'>): string {
  return ["default-src 'none'", `style-src 'nonce-${o.nonce}'`, `script-src 'nonce-${o.nonce}'`].join('; ');
}

export function playgroundHtml(o: ShellOptions): string {
  return webviewHtml({ title: 'Playground', csp: contentSecurityPolicy(o), css: PLAYGROUND_CSS, scriptUri: o.scriptUri, nonce: o.nonce });
}
