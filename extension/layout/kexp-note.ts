// `kexp` tabs: iximiuz Labs' Kubernetes Explorer is a web app of its own that Sandlot does
// not have. The tab opens a read-only note instead: what Kubernetes tooling the machine
// has (looked up over its SSH session) and how to use it from a terminal.
import * as vscode from 'vscode';
import type { MachineSessions } from '../remote/ssh-session';
import type { MachineRef } from '../remote/uri';
import { KEXP_TOOLS, kexpNote } from './kexp-note-text';

export const NOTE_SCHEME = 'sandlot-note';

/** Read-only documents under `sandlot-note:`; their text is set before they are opened. */
export class NoteDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(NOTE_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  async openKexp(sessions: MachineSessions, ref: MachineRef, column: vscode.ViewColumn, preserveFocus: boolean): Promise<void> {
    const session = await sessions.get(ref);
    const probe = await session.run(`for t in ${KEXP_TOOLS.join(' ')}; do p=$(command -v "$t") && echo "$t $p"; done; true`);
    const uri = vscode.Uri.from({ scheme: NOTE_SCHEME, path: `/${ref.playground}/${ref.machine}/Kubernetes Explorer.md` });
    this.texts.set(uri.toString(), kexpNote(ref, probe.stdout.split('\n').filter(Boolean)));
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { viewColumn: column, preserveFocus, preview: false });
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
