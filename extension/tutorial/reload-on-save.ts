// A content folder opened in the workspace reloads on save: saving a file of the content
// a local playground runs swaps the new version in (the agent keeps what is unchanged and
// done; the tutorial panel redraws in place). Content with problems is not loaded: the
// running version stays and the problems show in the Problems view (content
// diagnostics) with one notification line here.
import * as vscode from 'vscode';
import { isApiError } from '../../host-agent/api/client';
import type { AgentConnection } from '../agent-client/connection';
import { errorMessage } from '../log';
import { playgroundsOfContentFile } from './content-folder';

export function registerReloadOnSave(agent: AgentConnection, log: vscode.LogOutputChannel): vscode.Disposable {
  // One reload at a time per playground; saves meanwhile make one more.
  const busy = new Map<string, { again: boolean }>();
  const reload = async (id: string): Promise<void> => {
    const entry = busy.get(id);
    if (entry) {
      entry.again = true;
      return;
    }
    const state = { again: true };
    busy.set(id, state);
    try {
      while (state.again) {
        state.again = false;
        try {
          const r = await (await agent.ready()).reloadContent(id);
          log.info(`content of ${id} reloaded (revision ${r.content?.revision ?? 0})`);
        } catch (err) {
          if (isApiError(err, 'invalid_content') || isApiError(err, 'content_not_found')) {
            const first = errorMessage(err).split('\n')[0];
            void vscode.window.showWarningMessage(`Sandlot: content not reloaded, the running version stays: ${first}`);
          } else {
            log.warn(`reloading the content of ${id}: ${errorMessage(err)}`);
          }
        }
      }
    } finally {
      busy.delete(id);
    }
  };
  return vscode.workspace.onDidSaveTextDocument((doc) => {
    if (doc.uri.scheme !== 'file') return;
    for (const id of playgroundsOfContentFile(doc.uri.fsPath, agent.playgrounds)) void reload(id);
  });
}
