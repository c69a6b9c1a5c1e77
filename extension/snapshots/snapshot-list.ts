// The agent's snapshots as the extension knows them: read again whenever the playground
// list changes (a fork appears, a playground goes) and after the snapshot commands.
import * as vscode from 'vscode';
import type { SnapshotRecord } from '../../host-agent/api/protocol';
import type { AgentConnection } from '../agent-client/connection';
import { errorMessage } from '../log';
import { DisposableStore } from '../util/disposables';

export class SnapshotList implements vscode.Disposable {
  private readonly owned = new DisposableStore();
  private readonly changed = this.owned.add(new vscode.EventEmitter<readonly SnapshotRecord[]>());
  readonly onDidChange = this.changed.event;
  private list: readonly SnapshotRecord[] = [];
  private json = '[]';

  constructor(
    private readonly agent: AgentConnection,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.owned.add(agent.onDidChangePlaygrounds(() => void this.refresh()));
  }

  get snapshots(): readonly SnapshotRecord[] {
    return this.list;
  }

  /** Snapshots of one playground. */
  of(playground: string): SnapshotRecord[] {
    return this.list.filter((s) => s.playground === playground);
  }

  async refresh(): Promise<void> {
    let next: readonly SnapshotRecord[] = [];
    if (this.agent.state.kind === 'connected') {
      try {
        next = await this.agent.client().snapshots();
      } catch (err) {
        this.log.warn(`snapshots: ${errorMessage(err)}`);
        return;
      }
    }
    const json = JSON.stringify(next);
    if (json === this.json) return;
    this.json = json;
    this.list = next;
    this.changed.fire(next);
  }

  dispose(): void {
    this.owned.dispose();
  }
}
