// Snapshots in VS Code: the list the Playgrounds view shows under each playground, and
// the Snapshot / Fork / Save as Template / Delete Snapshot commands.
import * as vscode from 'vscode';
import type { AgentConnection } from '../agent-client/connection';
import { registerSnapshotCommands } from './commands';
import { SnapshotList } from './snapshot-list';

export { SnapshotList } from './snapshot-list';

export function registerSnapshots(agent: AgentConnection, log: vscode.LogOutputChannel): { list: SnapshotList; disposable: vscode.Disposable } {
  const list = new SnapshotList(agent, log);
  const commands = registerSnapshotCommands({ agent, snapshots: list, log });
  return { list, disposable: vscode.Disposable.from(commands, list) };
}
