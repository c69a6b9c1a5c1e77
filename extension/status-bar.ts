import * as vscode from 'vscode';
import type { AgentConnection } from './agent-client/connection';
import type { CommandId } from './manifest/commands';
import { DisposableStore, toDisposable } from './util/disposables';
import { timeLeft } from './util/time';
import { windowMachine } from './window-playground';

/** Name and time left of this window's playground; click → its actions. */
export class PlaygroundStatusBar implements vscode.Disposable {
  private readonly owned = new DisposableStore();
  private readonly item = this.owned.add(vscode.window.createStatusBarItem('sandlot.playground', vscode.StatusBarAlignment.Left, 50));

  constructor(private readonly agent: AgentConnection) {
    this.item.name = 'Sandlot Playground';
    this.owned.add(agent.onDidChangePlaygrounds(() => this.update()));
    this.owned.add(agent.onDidChangeState(() => this.update()));
    this.owned.add(vscode.workspace.onDidChangeWorkspaceFolders(() => this.update()));
    const timer = setInterval(() => this.update(), 30_000);
    this.owned.add(toDisposable(() => clearInterval(timer)));
    this.update();
  }

  update(): void {
    const ref = windowMachine();
    const pg = ref && this.agent.playground(ref.playground);
    if (pg) {
      const left = pg.state === 'running' ? timeLeft(pg.deadline) : pg.state;
      this.item.text = `$(vm) ${pg.id} · ${left}`;
      this.item.tooltip = `Sandlot playground ${pg.title} (${pg.id}), machine ${ref.machine}: ${pg.state}, expires ${new Date(pg.deadline).toLocaleString()}. Click for actions.`;
      this.item.command = 'sandlot.showActions' satisfies CommandId;
      this.item.backgroundColor =
        pg.state === 'running' && Date.parse(pg.deadline) - Date.now() < 10 * 60_000 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      this.item.show();
      return;
    }
    const running = this.agent.playgrounds.filter((p) => p.state === 'running').length;
    if (running > 0) {
      this.item.text = `$(vm) ${running} playground${running === 1 ? '' : 's'}`;
      this.item.tooltip = 'Sandlot playgrounds running on this computer. Click to show them.';
      this.item.command = 'workbench.view.extension.sandlot';
      this.item.backgroundColor = undefined;
      this.item.show();
    } else {
      this.item.hide();
    }
  }

  dispose(): void {
    this.owned.dispose();
  }
}
