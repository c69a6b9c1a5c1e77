import * as vscode from 'vscode';
import { startedBy } from '../../host-agent/api/labels';
import type { MachineState, PlaygroundRecord, PlaygroundState } from '../../host-agent/api/protocol';
import type { AgentConnection } from '../agent-client/connection';
import { DisposableStore, toDisposable } from '../util/disposables';
import { timeLeft } from '../util/time';
import type { MachineNode, PlaygroundNode } from './nodes';

type Node = PlaygroundNode | MachineNode;

const PLAYGROUND_ICON: Record<PlaygroundState, [string, string?]> = {
  provisioning: ['loading~spin'],
  starting: ['loading~spin'],
  running: ['vm-running', 'charts.green'],
  stopping: ['loading~spin'],
  stopped: ['vm-outline'],
  failed: ['error', 'errorForeground'],
  destroying: ['loading~spin'],
  destroyed: ['trash'],
  lost: ['warning', 'problemsWarningIcon.foreground'],
};
const MACHINE_ICON: Record<MachineState, [string, string?]> = {
  creating: ['loading~spin'],
  starting: ['loading~spin'],
  running: ['terminal', 'charts.green'],
  stopping: ['loading~spin'],
  stopped: ['circle-outline'],
  failed: ['error', 'errorForeground'],
  lost: ['warning', 'problemsWarningIcon.foreground'],
};

function icon([id, color]: [string, string?]): vscode.ThemeIcon {
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

/** The Playgrounds view: each playground, its machines, state and time left. */
export class PlaygroundsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly owned = new DisposableStore();
  private readonly changed = this.owned.add(new vscode.EventEmitter<Node | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly agent: AgentConnection) {
    this.owned.add(agent.onDidChangePlaygrounds(() => this.changed.fire(undefined)));
    // Time left changes even when nothing else does.
    const timer = setInterval(() => this.changed.fire(undefined), 30_000);
    this.owned.add(toDisposable(() => clearInterval(timer)));
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.agent.playgrounds.map((record) => ({ kind: 'playground', record }));
    if (node.kind === 'playground') return node.record.machines.map((machine) => ({ kind: 'machine', record: node.record, machine }));
    return [];
  }

  getParent(node: Node): Node | undefined {
    return node.kind === 'machine' ? { kind: 'playground', record: node.record } : undefined;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return node.kind === 'playground' ? playgroundItem(node.record) : machineItem(node);
  }

  dispose(): void {
    this.owned.dispose();
  }
}

function playgroundItem(r: PlaygroundRecord): vscode.TreeItem {
  const item = new vscode.TreeItem(r.title ? `${r.title}` : r.id, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `pg:${r.id}`;
  const left = r.state === 'running' ? ` · ${timeLeft(r.deadline)}` : '';
  const by = startedBy(r);
  item.description = `${r.id} · ${r.state}${left}${by ? ` · ${by}` : ''}`;
  item.contextValue = `playground.${r.state}`;
  item.iconPath = icon(PLAYGROUND_ICON[r.state]);
  const tip = new vscode.MarkdownString();
  tip.appendMarkdown(`**${r.title}** \`${r.id}\`\n\n`);
  tip.appendMarkdown(`template \`${r.template}\` · driver \`${r.driver}\` · ${r.state}\n\n`);
  tip.appendMarkdown(`expires ${new Date(r.deadline).toLocaleString()} (${timeLeft(r.deadline)})`);
  if (by) tip.appendMarkdown(`\n\nstarted by ${by}`);
  if (r.error) tip.appendMarkdown(`\n\n$(error) ${r.error}`);
  tip.supportThemeIcons = true;
  item.tooltip = tip;
  return item;
}

function machineItem({ record, machine }: MachineNode): vscode.TreeItem {
  const item = new vscode.TreeItem(machine.name, vscode.TreeItemCollapsibleState.None);
  item.id = `m:${record.id}/${machine.name}`;
  item.description = `${machine.state} · ${machine.defaultUser}`;
  item.contextValue = machine.noSSH ? 'machine.nossh' : `machine.${machine.state}`;
  item.iconPath = icon(MACHINE_ICON[machine.state]);
  item.tooltip =
    `${machine.name}: ${machine.state}, ${machine.resources.cpuCount} CPU, ${machine.resources.ramSize}` +
    `${machine.address ? `, ${machine.address}` : ''}${machine.error ? `\n${machine.error}` : ''}`;
  return item;
}
