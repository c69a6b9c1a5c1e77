// Wiring only: builds the services and hands every registration to an owner.
import * as vscode from 'vscode';
import { createLog } from './log';

export function activate(context: vscode.ExtensionContext): void {
  const log = createLog();
  context.subscriptions.push(log);
  context.subscriptions.push(vscode.commands.registerCommand('sandlot.showLogs', () => log.show()));
  log.info(`Sandlot ${context.extension.packageJSON.version} active (uiKind=${vscode.env.uiKind}, remote=${vscode.env.remoteName ?? 'none'})`);
}

export function deactivate(): void {}
