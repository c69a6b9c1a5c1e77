// The playground panel's HTML shell. Pure (no vscode import) so the CSP is unit-tested:
// one script and one style, both with this load's nonce; nothing else loads (no images,
// no fonts, no connections: the host brings every piece of data by message).
import { PLAYGROUND_CSS } from '../../webviews/playground/styles';

export interface ShellOptions {
  /** `asWebviewUri` of dist/webviews/playground/main.js. */
  scriptUri: string;
  nonce: string;
}

export { makeNonce } from '../tutorial/html';

export function contentSecurityPolicy(o: Pick<ShellOptions, 'nonce'>): string {
  return ["default-src 'none'", `style-src 'nonce-${o.nonce}'`, `script-src 'nonce-${o.nonce}'`].join('; ');
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function playgroundHtml(o: ShellOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${attr(o.nonce)}">${PLAYGROUND_CSS}</style>
<title>Playground</title>
</head>
<body>
<div id="root"></div>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>`;
}
