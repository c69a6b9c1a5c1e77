import * as vscode from 'vscode';

/** The extension's one log: "Sandlot" in the Output panel, level set by the user. */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel('Sandlot', { log: true });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
