// One place turns a command's failure into a message and a log line: cancelled starts
// are only logged, a missing agent offers to start the local one, anything else shows
// its one-line message with a way to the logs. Every feature registers through it.
import * as vscode from 'vscode';
import { NotConnectedError } from '../agent-client/connection';
import { CancelledError } from '../agent-client/start-playground';
import { errorMessage } from '../log';
import { runCommand, type CommandHandler } from '../util/commands';

export function reportingWrap(log: vscode.LogOutputChannel): (id: string, fn: CommandHandler) => CommandHandler {
  return (id, fn) =>
    async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        if (err instanceof CancelledError) {
          log.info(err.message);
          return undefined;
        }
        log.error(`${id}: ${errorMessage(err)}`);
        if (err instanceof NotConnectedError) {
          // The usual first-run case: no agent yet. Offer to start the local one.
          void vscode.window
            .showWarningMessage(`Sandlot: ${errorMessage(err)}`, 'Start Local Agent', 'Show Logs')
            .then((c) => (c === 'Start Local Agent' ? runCommand('sandlot.startAgent') : c && log.show()));
          return undefined;
        }
        void vscode.window.showErrorMessage(`Sandlot: ${errorMessage(err)}`, 'Show Logs').then((c) => c && log.show());
        return undefined;
      }
    };
}
