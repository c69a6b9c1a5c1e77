// Sandlot's own commands by their typed ids (extension/manifest/commands.ts): a feature
// registers a handler for every id of its table (a `Record`, so a contributed command
// without a handler, or a handler for an id nobody contributes, fails the build), and
// code that runs one of our commands names it by the same union.
import * as vscode from 'vscode';
import type { CommandId } from '../manifest/commands';

export type CommandHandler = (...args: unknown[]) => unknown;

/** Registers every handler of a feature, each through `wrap` (error reporting). */
export function registerCommandHandlers<Id extends CommandId>(
  handlers: Record<Id, CommandHandler>,
  wrap: (id: string, run: CommandHandler) => CommandHandler = (_id, run) => run,
): vscode.Disposable {
  return vscode.Disposable.from(...Object.entries<CommandHandler>(handlers).map(([id, run]) => vscode.commands.registerCommand(id, wrap(id, run))));
}

/** Runs one of our commands. */
export function runCommand(id: CommandId, ...args: unknown[]): Thenable<unknown> {
  return vscode.commands.executeCommand(id, ...args);
}
