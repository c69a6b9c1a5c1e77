import * as vscode from 'vscode';
import { startedBy } from '../../host-agent/api/labels';
import type { MachineState, PlaygroundRecord, PlaygroundState, SnapshotRecord } from '../../host-agent/api/protocol';
import type { AgentConnection } from '../agent-client/connection';
import { DisposableStore, toDisposable } from '../util/disposables';
import { timeLeft } from '../util/time';
import type { SnapshotList } from '../snapshots/snapshot-list';
import { RedrawGate } from './redraw-gate';
import type { MachineNode, PlaygroundNode, SnapshotNode } from './nodes';

type Node = PlaygroundNode | MachineNode | SnapshotNode;

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

/** The Playgrounds view: each playground, its machines, state and time left, and its snapshots. */
export class PlaygroundsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly owned = new DisposableStore();
  private readonly changed = this.owned.add(new vscode.EventEmitter<Node | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly agent: AgentConnection,
    private readonly snapshots: SnapshotList,
  ) {
    const gate = this.owned.add(
      new RedrawGate(
        () => this.render(),
        () => this.changed.fire(undefined),
      ),
    );
    this.owned.add(agent.onDidChangePlaygrounds(() => gate.poke()));
    this.owned.add(snapshots.onDidChange(() => gate.poke()));
    // Time left changes even when nothing else does (the gate redraws once a minute for it).
    const timer = setInterval(() => gate.poke(), 30_000);
    this.owned.add(toDisposable(() => clearInterval(timer)));
  }

  /** Everything the view shows, as text: each row's item, depth first. */
  private render(): string {
    const rows = (node?: Node): unknown[] => this.getChildren(node).map((n) => [this.getTreeItem(n), rows(n)]);
    // A MarkdownString keeps its text in a private field, which JSON leaves out.
    return JSON.stringify(rows(), (_key, v: unknown) => (v instanceof vscode.MarkdownString ? v.value : v));
  }

  getChildren(node?: Node): Node[] {
    const snapshot = (s: SnapshotRecord): SnapshotNode => ({ kind: 'snapshot', snapshot: s });
    if (!node) {
      const ids = new Set(this.agent.playgrounds.map((p) => p.id));
      // A snapshot whose playground is gone (destroyed, expired) stays at the top level.
      const orphans = this.snapshots.snapshots.filter((s) => !ids.has(s.playground)).map(snapshot);
      return [...this.agent.playgrounds.map((record): Node => ({ kind: 'playground', record })), ...orphans];
    }
    if (node.kind === 'playground') {
      return [
        ...node.record.machines.map((machine): Node => ({ kind: 'machine', record: node.record, machine })),
        ...this.snapshots.of(node.record.id).map(snapshot),
      ];
    }
    return [];
  }

  getParent(node: Node): Node | undefined {
    if (node.kind === 'machine') return { kind: 'playground', record: node.record };
    if (node.kind === 'snapshot') {
      const record = this.agent.playground(node.snapshot.playground);
      return record && { kind: 'playground', record };
    }
    return undefined;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'snapshot') return snapshotItem(node.snapshot, !this.agent.playground(node.snapshot.playground));
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

function snapshotItem(s: SnapshotRecord, orphan: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem(s.name ?? s.id, vscode.TreeItemCollapsibleState.None);
  item.id = `sn:${s.id}`;
  const when = s.createdAt.slice(0, 16).replace('T', ' ');
  const usedBy = s.usedBy.playgrounds.length + s.usedBy.templates.length;
  item.description = [
    s.name ? s.id : undefined,
    orphan ? `of ${s.playground}` : undefined,
    s.state === 'ready' ? when : s.state,
    usedBy ? `used by ${usedBy}` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  item.contextValue = `snapshot.${s.state}`;
  item.iconPath =
    s.state === 'ready' ? new vscode.ThemeIcon('device-camera') : new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  const tip = new vscode.MarkdownString();
  tip.appendMarkdown(`**Snapshot ${s.name ?? s.id}** \`${s.id}\`\n\n`);
  tip.appendMarkdown(
    `of \`${s.playground}\` (${s.template}) · ${s.driver} · ${s.files} files · ${(s.diskBytes / 1048576).toFixed(1)} MiB · ${new Date(s.createdAt).toLocaleString()}`,
  );
  if (s.problem) tip.appendMarkdown(`\n\n$(warning) ${s.problem}`);
  if (usedBy) tip.appendMarkdown(`\n\nused by ${[...s.usedBy.playgrounds, ...s.usedBy.templates.map((t) => `template ${t}`)].join(', ')}`);
  tip.supportThemeIcons = true;
  item.tooltip = tip;
  return item;
}
