// Deep links: vscode://sandlot.sandlot/start?template=docker starts a playground (after
// asking: a link must not start machines on its own).
import * as vscode from 'vscode';
import { runCommand } from './util/commands';

export class SandlotUriHandler implements vscode.UriHandler {
  constructor(private readonly log: vscode.LogOutputChannel) {}

  async handleUri(uri: vscode.Uri): Promise<void> {
    this.log.info(`deep link: ${uri.toString()}`);
    const params = new URLSearchParams(uri.query);
    switch (uri.path) {
      case '/start': {
        const template = params.get('template')?.trim();
        if (!template || !/^[a-z0-9][a-z0-9-]*$/.test(template)) {
          void vscode.window.showErrorMessage(`Sandlot link: expected ?template=<name>, got "${uri.query}"`);
          return;
        }
        const ok = await vscode.window.showInformationMessage(`A link asks to start a "${template}" playground.`, { modal: true }, 'Start');
        if (ok === 'Start') await runCommand('sandlot.startPlayground', { template });
        return;
      }
      default:
        void vscode.window.showErrorMessage(`Sandlot link: unknown action "${uri.path}" (known: /start?template=<name>)`);
    }
  }
}
