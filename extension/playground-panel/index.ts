// The playground panel feature: "Sandlot: Show Playground" opens (or reveals) one editor
// panel per playground; panels left open come back after a window reload.
import * as vscode from 'vscode';
import type { MachineRef } from '../remote/uri';
import { pickPlayground } from '../commands/pick';
import { errorMessage } from '../log';
import { DisposableStore } from '../util/disposables';
import { restoreState } from '../../webviews/playground/state';
import { registerCommandHandlers } from '../util/commands';
import { PLAYGROUND_PANEL, type PlaygroundPanelCommandId } from './manifest';
import { PlaygroundPanel, type PanelServices } from './panel';

export function registerPlaygroundPanel(s: PanelServices): vscode.Disposable {
  const owned = new DisposableStore();
  const panels = new Map<string, PlaygroundPanel>();

  const adopt = (webviewPanel: vscode.WebviewPanel, id: string): PlaygroundPanel => {
    const panel = owned.add(new PlaygroundPanel(webviewPanel, id, s));
    panels.set(id, panel);
    panel.onDidDispose(() => {
      if (panels.get(id) === panel) panels.delete(id);
      owned.delete(panel);
    });
    return panel;
  };

  const show = (id: string, title: string) => {
    const existing = panels.get(id);
    if (existing) return existing.reveal();
    const webviewPanel = vscode.window.createWebviewPanel(PLAYGROUND_PANEL, `${title} · ${id}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [],
    });
    adopt(webviewPanel, id);
  };

  owned.add(
    vscode.window.registerWebviewPanelSerializer(PLAYGROUND_PANEL, {
      // The webview's saved state names its playground; without one there is nothing to show.
      deserializeWebviewPanel: async (webviewPanel, state) => {
        const id = restoreState(state).playgroundId;
        if (!id || panels.has(id)) webviewPanel.dispose();
        else adopt(webviewPanel, id);
      },
    }),
  );

  const commands: Record<PlaygroundPanelCommandId, (arg?: unknown) => Promise<void>> = {
    'sandlot.showPlayground': async (arg) => {
      try {
        // A { playground, machine } ref (from other commands) names its playground too.
        const target = isRef(arg) ? arg.playground : arg;
        const pg = await pickPlayground(s.agent, target, { title: 'Show Playground' });
        if (pg) show(pg.id, pg.title || pg.id);
      } catch (err) {
        s.log.error(`sandlot.showPlayground: ${errorMessage(err)}`);
        void vscode.window.showErrorMessage(`Sandlot: ${errorMessage(err)}`);
      }
    },
  };
  owned.add(registerCommandHandlers(commands));

  return owned;
}

function isRef(x: unknown): x is MachineRef {
  return typeof x === 'object' && x !== null && !('kind' in x) && 'playground' in x && typeof x.playground === 'string';
}
