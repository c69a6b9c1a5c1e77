// Browser tabs of a layout as editors. VS Code's Simple Browser keeps one view for all
// pages (opening a second URL replaces the first), so a layout with an http-port and a
// web-page tab would show only one: each tab gets its own webview with the page in an
// iframe instead. The iframe's page state cannot be saved with setState, so the panel
// keeps its context while hidden (else switching tabs reloads the app).
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { makeNonce } from '../util/webview-html';
import { browserHtml } from './browser-html';

export const BROWSER_VIEW_TYPE = 'sandlot.browser';

export class BrowserTab implements vscode.Disposable {
  private url: string;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly title: string,
    url: vscode.Uri,
  ) {
    this.url = url.toString(true);
    this.render();
  }

  static open(title: string, url: vscode.Uri, column: vscode.ViewColumn, preserveFocus: boolean): BrowserTab {
    const panel = vscode.window.createWebviewPanel(
      BROWSER_VIEW_TYPE,
      title,
      { viewColumn: column, preserveFocus },
      { retainContextWhenHidden: true, enableScripts: false },
    );
    return new BrowserTab(panel, title, url);
  }

  /** Shows the tab again, loading the address afresh (the app may have come up since). */
  reload(url: vscode.Uri, column: vscode.ViewColumn, preserveFocus: boolean): void {
    this.url = url.toString(true);
    this.render();
    this.panel.reveal(column, preserveFocus);
  }

  private render(): void {
    this.panel.webview.html = browserHtml({ title: this.title, url: this.url, nonce: makeNonce((n) => crypto.randomBytes(n)) });
  }

  dispose(): void {
    this.panel.dispose();
  }
}
