// "Sandlot: Preview Tutorial": the content of the folder being edited, rendered beside the
// editor by the tutorial panel's own renderer, without a playground, redrawn as the author
// types (the unsaved text of open editors counts). Steps show as not started; buttons that
// need a machine (run in terminal, answers) say so instead.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ContentSummary } from '../../host-agent/api/protocol';
import { formatProblem } from '../../host-agent/content/errors';
import { openHostEnd, type HostEnd } from '../../webviews/shared/channel';
import type { TutorialProtocol } from '../../webviews/tutorial/protocol';
import type { EditorContent } from '../content-diagnostics/editor-content';
import { isContentIndex } from '../content-diagnostics/validate';
import { errorMessage } from '../log';
import { DisposableStore } from '../util/disposables';
import { ANY_TEMPLATE, previewView } from './preview-view';
import { courseView, pathView } from './reading-view';
import { assetUris, configureTutorialWebview, setTutorialHtml } from './webview-setup';

export const PREVIEW_PANEL = 'sandlot.tutorialPreview';
const PAUSE_MS = 300;

/** The content folder of the active editor's file, if it is one. */
export function contentFolderOf(editor: vscode.TextEditor | undefined): string | undefined {
  const uri = editor?.document.uri;
  if (uri?.scheme !== 'file') return undefined;
  if (isContentIndex(uri.fsPath)) return path.dirname(uri.fsPath);
  return undefined;
}

export class TutorialPreview implements vscode.Disposable {
  private readonly owned = new DisposableStore();
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; end: HostEnd<TutorialProtocol> }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The agent's catalog, for the references of a skill path being previewed. */
  private catalog: ContentSummary[] = [];

  constructor(
    private readonly content: EditorContent,
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const changed = (doc: vscode.TextDocument) => {
      for (const dir of this.panels.keys()) if (doc.uri.scheme === 'file' && doc.uri.fsPath.startsWith(dir + path.sep)) this.later(dir);
    };
    this.owned.add(vscode.workspace.onDidChangeTextDocument((e) => changed(e.document)));
    this.owned.add(vscode.workspace.onDidSaveTextDocument(changed));
    this.owned.add(content.onDidChangeTemplates(() => [...this.panels.keys()].forEach((d) => this.later(d))));
    this.owned.add({ dispose: () => this.timers.forEach((t) => clearTimeout(t)) });
  }

  /** Opens (or shows) the preview of a content folder beside the active editor. */
  show(dir: string): void {
    const existing = this.panels.get(dir);
    if (existing) return existing.panel.reveal(vscode.ViewColumn.Beside, true);
    const panel = vscode.window.createWebviewPanel(PREVIEW_PANEL, `Preview: ${path.basename(dir)}`, {
      viewColumn: vscode.ViewColumn.Beside,
      preserveFocus: true,
    });
    configureTutorialWebview(panel.webview, this.extensionUri, dir);
    setTutorialHtml(panel.webview, this.extensionUri);
    const machineOnly = 'This is a preview: start the content (Sandlot: Open Tutorial…) to run commands and check answers.';
    const end = openHostEnd<TutorialProtocol>(panel.webview, {
      notices: {
        ready: () => {
          this.render(dir);
          void this.content.catalog().then((c) => {
            this.catalog = c;
            this.render(dir);
          });
        },
        runInTerminal: () => void vscode.window.showInformationMessage(machineOnly),
        copy: (m) => void vscode.env.clipboard.writeText(m.text),
        openLink: (m) => {
          if (/^(https?:|mailto:)/i.test(m.url)) void vscode.env.openExternal(vscode.Uri.parse(m.url));
        },
        startContent: () => void vscode.window.showInformationMessage(machineOnly),
        openPlayground: () => void vscode.window.showInformationMessage(machineOnly),
        openReading: () => undefined,
        openCatalogEntry: () => undefined,
      },
      requests: {
        submitInput: () => Promise.reject(new Error(machineOnly)),
      },
    });
    this.panels.set(dir, { panel, end });
    panel.onDidDispose(() => {
      end.dispose();
      this.panels.delete(dir);
    });
  }

  private later(dir: string): void {
    clearTimeout(this.timers.get(dir));
    this.timers.set(
      dir,
      setTimeout(() => {
        this.timers.delete(dir);
        this.render(dir);
      }, PAUSE_MS),
    );
  }

  private render(dir: string): void {
    const open = this.panels.get(dir);
    if (!open) return;
    let read;
    try {
      read = this.content.read(dir, this.content.lookup() ?? ANY_TEMPLATE, []);
    } catch (err) {
      this.log.warn(`preview of ${dir}: ${errorMessage(err)}`);
      return open.end.post({ kind: 'empty', reason: `Cannot read ${dir}: ${errorMessage(err)}` });
    }
    const doc = read.document;
    if (!doc) return open.end.post({ kind: 'empty', reason: ['Nothing to show yet:', ...read.problems.slice(0, 5).map(formatProblem)].join('\n') });
    const assets = assetUris(doc.dir, (file) => open.panel.webview.asWebviewUri(vscode.Uri.file(file)).toString());
    if (doc.kind === 'skill-path') return open.end.post({ kind: 'showReading', view: pathView(doc, this.catalog, [], assets) });
    if (doc.kind === 'course') return open.end.post({ kind: 'showReading', view: courseView(doc, assets) });
    open.end.post({ kind: 'show', view: previewView(doc, assets) });
  }

  dispose(): void {
    for (const { panel } of this.panels.values()) panel.dispose();
    this.owned.dispose();
  }
}
