// The HTML shell every Sandlot webview loads: one stylesheet and one script, both carrying
// this load's nonce, under a Content-Security-Policy the caller decides. Pure (no vscode
// import), so each webview's CSP is unit-tested.
export interface WebviewShell {
  title: string;
  csp: string;
  css: string;
  /** `asWebviewUri` of the webview's bundled main.js. */
  scriptUri: string;
  nonce: string;
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function webviewHtml(o: WebviewShell): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(o.csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${attr(o.nonce)}">${o.css}</style>
<title>${attr(o.title)}</title>
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
