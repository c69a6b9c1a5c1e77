// The tutorial webview's HTML shell. Pure (no vscode import) so the CSP is unit-tested:
// scripts and styles only with this load's nonce, images only from the webview's own
// resource origin (the content folder) or https, nothing else.
import { TUTORIAL_CSS } from '../../webviews/tutorial/styles';
import { webviewHtml } from '../util/webview-html';

export { makeNonce } from '../util/webview-html';

export interface ShellOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** `asWebviewUri` of dist/webviews/tutorial/main.js. */
  scriptUri: string;
  nonce: string;
}

export function contentSecurityPolicy(o: Pick<ShellOptions, 'cspSource' | 'nonce'>): string {
  return [
    "default-src 'none'",
    `img-src ${o.cspSource} https:`,
    `style-src 'nonce-${o.nonce}'`,
    `script-src 'nonce-${o.nonce}'`,
    `font-src ${o.cspSource}`,
  ].join('; ');
}

export function tutorialHtml(o: ShellOptions): string {
  return webviewHtml({ title: 'Tutorial', csp: contentSecurityPolicy(o), css: TUTORIAL_CSS, scriptUri: o.scriptUri, nonce: o.nonce });
}
