// The tutorial feature: a "Tutorial" sidebar view and an editor panel showing the open
// content, plus the Open Tutorial / Restart Content / Stop Content commands.
import * as vscode from 'vscode';
import type { AgentConnection } from '../agent-client/connection';
import { errorMessage } from '../log';
import type { MachineSessions } from '../remote/ssh-session';
import { DisposableStore } from '../util/disposables';
import { registerCommandHandlers } from '../util/commands';
import { TutorialController } from './controller';
import { TUTORIAL_PANEL, TUTORIAL_VIEW, type TutorialCommandId } from './manifest';
import { registerReloadOnSave } from './reload-on-save';
import type { EditorContent } from '../content-diagnostics/editor-content';
import { ContentTests } from './content-tests';
import { contentFolderOf, TutorialPreview } from './preview';
import { READ_ONLY_KINDS } from './reading-view';

export function registerTutorial(
  agent: AgentConnection,
  sessions: MachineSessions,
  log: vscode.LogOutputChannel,
  context: vscode.ExtensionContext,
  editorContent: EditorContent,
): vscode.Disposable {
  const owned = new DisposableStore();
  const preview = owned.add(new TutorialPreview(editorContent, context.extensionUri, log));
  const tests = owned.add(new ContentTests(editorContent, context.extensionPath, log));
  const activeContentFolder = () => {
    const dir = contentFolderOf(vscode.window.activeTextEditor);
    if (!dir) throw new Error("Open a content folder's index.md or index.json (or a skill path's unit-*.md) first.");
    return dir;
  };
  const controller = owned.add(new TutorialController(agent, sessions, log, context.extensionUri, context.workspaceState, editorContent));
  let panel: vscode.WebviewPanel | undefined;

  const adoptPanel = (p: vscode.WebviewPanel) => {
    panel = p;
    const release = controller.attach(p.webview, (listener) =>
      p.onDidChangeViewState((e) => {
        listener(e.webviewPanel.visible);
      }),
    );
    owned.add(
      p.onDidDispose(() => {
        release.dispose();
        if (panel === p) panel = undefined;
      }),
    );
  };
  const showPanel = () => {
    if (panel) return panel.reveal(undefined, true);
    adoptPanel(
      vscode.window.createWebviewPanel(
        TUTORIAL_PANEL,
        'Tutorial',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: true, localResourceRoots: [] },
      ),
    );
  };

  owned.add(
    vscode.window.registerWebviewViewProvider(TUTORIAL_VIEW, {
      resolveWebviewView(view) {
        const release = controller.attach(view.webview, (listener) =>
          view.onDidChangeVisibility(() => {
            listener(view.visible);
          }),
        );
        owned.add(
          view.onDidDispose(() => {
            release.dispose();
          }),
        );
      },
    }),
  );
  // A panel left open survives a window reload; its webview state restores the page.
  owned.add(vscode.window.registerWebviewPanelSerializer(TUTORIAL_PANEL, { deserializeWebviewPanel: async (p) => adoptPanel(p) }));

  const current = () => {
    const id = controller.playground;
    if (!id) throw new Error('No tutorial is open: run "Sandlot: Open Tutorial…" first.');
    return id;
  };

  const commands: Record<TutorialCommandId, () => Promise<unknown>> = {
    'sandlot.openTutorial': async () => {
      const api = await agent.ready();
      // Content started elsewhere (CLI, another window) belongs under "Running" now, not in 2 s.
      const [builtin] = await Promise.all([api.builtinContent(), agent.refresh()]);
      type Item = vscode.QuickPickItem & { source?: string; playground?: string; folder?: true; read?: true };
      const running: Item[] = agent.playgrounds
        .filter((p) => p.content && p.state !== 'destroyed')
        .map((p) => ({ label: `$(play) ${p.content!.title}`, description: `${p.id} · ${p.content!.state ?? p.state}`, playground: p.id }));
      const items: Item[] = [
        ...(running.length ? [{ label: 'Running', kind: vscode.QuickPickItemKind.Separator } as Item, ...running] : []),
        { label: 'Built-in', kind: vscode.QuickPickItemKind.Separator },
        ...builtin.map((c) =>
          READ_ONLY_KINDS.has(c.kind)
            ? { label: `$(book) ${c.title}`, description: c.kind, detail: c.description, source: c.source, read: true as const }
            : { label: c.title, description: `${c.kind} · ${c.template}`, detail: c.description, source: c.name },
        ),
        { label: '', kind: vscode.QuickPickItemKind.Separator },
        {
          label: '$(folder-opened) Open Folder…',
          detail: 'An iximiuz Labs index.md (tutorial, challenge, skill path, course) or Killercoda index.json folder',
          folder: true,
        },
      ];
      const picked = await vscode.window.showQuickPick(items, { title: 'Sandlot: Open Tutorial', matchOnDescription: true, matchOnDetail: true });
      if (!picked) return;
      let playground = picked.playground;
      if (!playground) {
        let source = picked.source;
        if (picked.folder) {
          const dir = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Open Tutorial' });
          if (!dir?.[0]) return;
          source = dir[0].fsPath;
        }
        // Skill paths and courses are read in the view; their parts are started from there.
        if (picked.read || (picked.folder && controller.readReadable(source!))) {
          await controller.openReading(source!);
          return showPanel();
        }
        const record = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Starting ${picked.folder ? source : picked.label}…` },
          () => api.startContent({ source: source! }),
        );
        playground = record.id;
        void agent.refresh();
      }
      await controller.open(playground);
      showPanel();
    },
    'sandlot.restartContent': async () => {
      const id = current();
      await (await agent.ready()).contentAction(id, 'restart');
      await controller.open(id);
    },
    'sandlot.stopContent': async () => {
      const id = current();
      await (await agent.ready()).contentAction(id, 'stop');
      await controller.open(id);
    },
    'sandlot.showTutorialPanel': async () => showPanel(),
    'sandlot.previewTutorial': async () => preview.show(activeContentFolder()),
    'sandlot.testContent': async () => {
      const dir = activeContentFolder();
      await vscode.commands.executeCommand('workbench.view.testing.focus');
      await tests.testFolder(dir);
    },
  };
  owned.add(
    registerCommandHandlers(commands, (id, run) => async (...args: unknown[]) => {
      try {
        await run(...args);
      } catch (err) {
        log.error(`${id}: ${errorMessage(err)}`);
        void vscode.window.showErrorMessage(errorMessage(err));
      }
    }),
  );

  owned.add(registerReloadOnSave(agent, log));
  return owned;
}
