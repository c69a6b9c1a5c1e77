// The tutorial webview's HTML shell. Pure (no vscode import) so the CSP is unit-tested:
// scripts and styles only with this load's nonce, images only from the webview's own
// resource origin (the content folder) or https, nothing else.
import { TUTORIAL_CSS } from '../../webviews/tutorial/styles';

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

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function tutorialHtml(o: ShellOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${attr(o.nonce)}">${TUTORIAL_CSS}</style>
<title>Tutorial</title>
</head>
<body>
<div id="root"></div>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>`;
}

/** 128 random bits, base64: a fresh nonce per HTML load. */
export function makeNonce(random: (n: number) => Uint8Array): string {
  return Buffer.from(random(16)).toString('base64');
}
