// The page of a browser tab (`http-port`, `web-page`): one iframe on the address, and
// nothing else — no script, so the CSP allows only that frame and our nonce'd style.
// Pure (no vscode import): the CSP is unit-tested.
const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function browserHtml(o: { title: string; url: string; nonce: string }): string {
  const origin = new URL(o.url).origin;
  const csp = `default-src 'none'; frame-src ${origin}; style-src 'nonce-${o.nonce}'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<style nonce="${attr(o.nonce)}">html, body { margin: 0; padding: 0; height: 100%; overflow: hidden; } iframe { border: 0; width: 100%; height: 100%; background: white; }</style>
<title>${attr(o.title)}</title>
</head>
<body>
<iframe id="sandlot-browser" title="${attr(o.title)}" src="${attr(o.url)}" allow="clipboard-read; clipboard-write"></iframe>
</body>
</html>`;
}
