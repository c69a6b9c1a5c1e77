// What every tutorial webview gets, the panel and view of running content as well as the
// preview: the one renderer (dist/webviews/tutorial/main.js) in its CSP shell, its
// resource roots (the renderer, and the content folder for images), and the webview URIs
// of the content's images.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { makeNonce, tutorialHtml } from './html';

function rendererDir(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webviews', 'tutorial');
}

/** Scripts on, images only from the renderer and the content folder (when it is on this host). */
export function configureTutorialWebview(webview: vscode.Webview, extensionUri: vscode.Uri, contentDir?: string): void {
  const roots = [rendererDir(extensionUri)];
  if (contentDir && fs.existsSync(contentDir)) roots.push(vscode.Uri.file(contentDir));
  webview.options = { enableScripts: true, localResourceRoots: roots };
}

export function setTutorialHtml(webview: vscode.Webview, extensionUri: vscode.Uri): void {
  webview.html = tutorialHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(rendererDir(extensionUri), 'main.js')).toString(),
    nonce: makeNonce((n) => crypto.randomBytes(n)),
  });
}

/** Webview URIs of the files under `__static__/`, keyed by their path in the content folder. */
export function assetUris(dir: string, toUri: (file: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  const root = path.join(dir, '__static__');
  let files: string[];
  try {
    files = fs.readdirSync(root, { recursive: true, encoding: 'utf8' });
  } catch {
    return out; // No assets, or content read by an agent on another host.
  }
  for (const f of files) {
    const abs = path.join(root, f);
    if (fs.statSync(abs).isFile()) out[`__static__/${f.split(path.sep).join('/')}`] = toUri(abs);
  }
  return out;
}
