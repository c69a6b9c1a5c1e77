// Problems while typing: content (index.md, index.json, a skill path's unit-*.md) and
// playground manifests get the problems `sandlot content check` / `sandlot manifest check`
// would print, as diagnostics at the field they name, when a file opens and as it is
// edited (after a short pause, so a burst of keys is one check), cleared once fixed. The
// checks are the CLI's own validators running in the extension host (never in the UI's
// renderer); templates come from the agent (names, machines) and from the templates folder
// next to the CLI (manifests, for `base:` and `playground:`).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../log';
import { DisposableStore } from '../util/disposables';
import type { EditorContent } from './editor-content';
import { isContentIndex, isManifestText, validateContentFolder, validateManifestText, type FileProblem } from './validate';

const PAUSE_MS = 300;

export function registerContentDiagnostics(content: EditorContent, log: vscode.LogOutputChannel): vscode.Disposable {
  const owned = new DisposableStore();
  const collection = owned.add(vscode.languages.createDiagnosticCollection('sandlot-content'));
  /** Files each content folder last reported on, to clear the ones fixed since. */
  const reported = new Map<string, Set<string>>();
  const timers = new Map<string, NodeJS.Timeout>();
  owned.add({ dispose: () => timers.forEach((t) => clearTimeout(t)) });
  const toDiagnostic = (p: FileProblem) => {
    const d = new vscode.Diagnostic(
      new vscode.Range(p.range.line, p.range.character, p.range.endLine, p.range.endCharacter),
      p.message,
      vscode.DiagnosticSeverity.Error,
    );
    d.source = 'sandlot';
    return d;
  };

  const checkFolder = (dir: string) => {
    const lookup = content.lookup();
    if (!lookup) return;
    let problems: Map<string, FileProblem[]>;
    try {
      problems = validateContentFolder(dir, lookup, content.templates(), content.texts(dir));
    } catch (err) {
      log.warn(`content problems of ${dir}: ${errorMessage(err)}`);
      return;
    }
    for (const file of reported.get(dir) ?? []) if (!problems.has(file)) collection.delete(vscode.Uri.file(file));
    for (const [file, list] of problems) collection.set(vscode.Uri.file(file), list.map(toDiagnostic));
    reported.set(dir, new Set(problems.keys()));
  };

  const checkManifest = (doc: vscode.TextDocument) => {
    try {
      collection.set(doc.uri, validateManifestText(doc.getText(), doc.uri.fsPath, content.templates()).map(toDiagnostic));
    } catch (err) {
      log.warn(`manifest problems of ${doc.uri.fsPath}: ${errorMessage(err)}`);
    }
  };

  const check = (doc: vscode.TextDocument) => {
    if (doc.uri.scheme !== 'file') return;
    const file = doc.uri.fsPath;
    if (isContentIndex(file)) return later(path.dirname(file), () => checkFolder(path.dirname(file)));
    if (isManifestText(file, doc.getText())) return later(file, () => checkManifest(doc));
    // A file that was a manifest and no longer is keeps no stale problems.
    if (/\.ya?ml$/.test(file)) collection.delete(doc.uri);
  };

  const later = (key: string, run: () => void) => {
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        run();
      }, PAUSE_MS),
    );
  };

  owned.add(vscode.workspace.onDidOpenTextDocument(check));
  owned.add(vscode.workspace.onDidChangeTextDocument((e) => check(e.document)));
  owned.add(vscode.workspace.onDidSaveTextDocument(check));
  owned.add(
    vscode.workspace.onDidCloseTextDocument((doc) => {
      // Problems of a closed manifest go with it; a content folder's stay until it is fixed.
      if (doc.uri.scheme === 'file' && !isContentIndex(doc.uri.fsPath)) collection.delete(doc.uri);
    }),
  );
  // The agent's templates arrive after activation: check what is open once they are known.
  owned.add(content.onDidChangeTemplates(() => vscode.workspace.textDocuments.forEach(check)));
  vscode.workspace.textDocuments.forEach(check);
  return owned;
}
